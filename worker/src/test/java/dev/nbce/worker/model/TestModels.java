package dev.nbce.worker.model;

import dev.nbce.common.testing.Fixtures;
import java.nio.file.Path;

/** The models the worker's tests load. */
public final class TestModels {
    private TestModels() {
    }

    /** The demo model the launcher embeds as the default. */
    public static Path embeddedDemo() {
        return Fixtures.model("nbce-demo");
    }
}
