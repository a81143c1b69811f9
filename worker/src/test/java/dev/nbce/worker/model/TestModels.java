package dev.nbce.worker.model;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Locates the embedded demo model (the reference fixtures are in {@code dev.nbce.common.testing.Fixtures}). */
public final class TestModels {
    private TestModels() {
    }

    /** The demo model embedded in the worker's resources (always present). */
    public static Path embeddedDemo() {
        URL config = TestModels.class.getResource("/nbce-demo/config.json");
        if (config == null) {
            throw new IllegalStateException("nbce-demo is missing from the worker's resources");
        }
        try {
            return Path.of(config.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
