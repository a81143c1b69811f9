package dev.nbce.worker.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Locates the reference models: the shared folder beside the repository, and the embedded demo model. */
public final class TestModels {
    private TestModels() {
    }

    /**
     * {@code shared/} next to the repository root (the topmost ancestor of the working directory that
     * holds a pom.xml), or inside it; empty when neither exists.
     */
    public static Optional<Path> sharedDir() {
        Path root = null;
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("pom.xml"))) {
                root = p;
            }
        }
        if (root == null) {
            return Optional.empty();
        }
        for (Path candidate : new Path[] {root.resolveSibling("shared"), root.resolve("shared")}) {
            if (Files.isDirectory(candidate.resolve("models"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code shared/models/tiny-llama}, or skips the calling test when shared/ is absent. */
    public static Path tinyLlama() {
        Optional<Path> dir = sharedDir().map(s -> s.resolve("models/tiny-llama"));
        assumeTrue(dir.isPresent() && Files.exists(dir.get().resolve("reference.json")),
                "../shared/models/tiny-llama not found; skipping reference test");
        return dir.get();
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
