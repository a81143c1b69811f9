package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker image carries no gateway classes and the gateway image no worker classes (docs/deployment.md):
 * on each, {@code Main} and its role's command must load, link and start without the other role's classes.
 * Each check runs in a class loader over this test's class path less the other module.
 */
class RoleClasspathTest {
    @Test
    void workerStartsWithoutGatewayClasses() throws Exception {
        try (URLClassLoader worker = classPathWithout("gateway")) {
            assertThrows(ClassNotFoundException.class, () -> worker.loadClass("dev.nbce.gateway.session.SessionListener"));
            assertDoesNotThrow(() -> Class.forName("dev.nbce.launcher.Main", true, worker));
            assertDoesNotThrow(() -> Class.forName("dev.nbce.launcher.WorkerCommand", true, worker));
        }
    }

    @Test
    void gatewayStartsWithoutWorkerClasses() throws Exception {
        try (URLClassLoader gateway = classPathWithout("worker")) {
            assertThrows(ClassNotFoundException.class, () -> gateway.loadClass("dev.nbce.worker.engine.RowEngine"));
            assertDoesNotThrow(() -> Class.forName("dev.nbce.launcher.Main", true, gateway));
            assertDoesNotThrow(() -> Class.forName("dev.nbce.launcher.GatewayCommand", true, gateway));
        }
    }

    /** This test's class path without the given module's classes (its target folder or its jar). */
    private static URLClassLoader classPathWithout(String module) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<URL> urls = Arrays.stream(classPath.split(File.pathSeparator))
                .filter(entry -> !entry.contains(File.separator + module + File.separator + "target" + File.separator)
                        && !Path.of(entry).getFileName().toString().startsWith("nbce-" + module + "-"))
                .map(RoleClasspathTest::url)
                .toList();
        assertFalse(urls.isEmpty(), "no class path to test");
        return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }

    private static URL url(String entry) {
        try {
            return Path.of(entry).toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(entry, e);
        }
    }
}
