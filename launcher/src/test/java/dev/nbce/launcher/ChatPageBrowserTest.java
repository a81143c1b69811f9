package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.common.testing.Fixtures;
import dev.nbce.launcher.config.Settings;
import dev.nbce.common.testing.StartsCluster;
import dev.nbce.common.testing.StartsProcesses;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chat page in Debian's headless Chromium (playwright-core, gateway/src/test/browser) against a
 * real gateway and worker on a loopback cluster with the embedded demo model; the follow-up question's
 * rows must come mostly from the worker's prefix cache (its /metrics). .ci/run installs the
 * browser and the driver; without them the test fails with a message saying so (it is never skipped).
 */
@StartsCluster
@StartsProcesses
class ChatPageBrowserTest {
    /** The page's own test files live beside it in the gateway module. */
    private static final Path BROWSER_TEST = Fixtures.repositoryRoot().resolve("gateway/src/test/browser");

    @Test
    void chatPageWorksInHeadlessChromium() throws Exception {
        boolean ready = Files.isExecutable(Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium")))
                && Files.isDirectory(BROWSER_TEST.resolve("node_modules/playwright-core"));
        assertTrue(ready, "chromium or playwright-core missing: run .ci/run once to install them");
        try (TestCluster cluster = new TestCluster(EmbeddedModel.directory(Settings.ofProcess()), EmbeddedModel.NAME, 1, Map.of())) {
            Path screenshot = Path.of("target/chat-page.png").toAbsolutePath();
            String workerMetrics = "http://127.0.0.1:" + cluster.workers().get(0).metricsPort() + "/metrics";
            Process node = new ProcessBuilder(List.of("node", "chat.test.mjs", "--url", cluster.baseUrl() + "/",
                    "--screenshot", screenshot.toString(), "--worker-metrics", workerMetrics))
                    .directory(BROWSER_TEST.toFile()).redirectErrorStream(true).start();
            boolean exited = node.waitFor(240, TimeUnit.SECONDS);
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.println(output);
            assertTrue(exited, "browser test timed out:\n" + output);
            assertEquals(0, node.exitValue(), output);
            assertTrue(output.contains(" 0 failed"), output);
            assertTrue(Files.size(screenshot) > 10_000, "screenshot written");
        }
    }
}
