package dev.nbce.launcher;

import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The demo model shipped inside the worker jar, so that a fresh clone (or a container image) runs
 * without any download. It is unpacked once into a cache directory because the loader maps files.
 */
public final class EmbeddedModel {
    public static final String NAME = "nbce-demo";
    private static final List<String> FILES = List.of(
            "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
            "model.safetensors", "README.md");

    private EmbeddedModel() {}

    /** Returns a directory holding the demo model's files, unpacking them on first use (under NBCE_CACHE_DIR). */
    public static synchronized Path directory(Settings settings) {
        Path dir = cacheRoot(settings).resolve("models").resolve(NAME + "-" + fingerprint());
        try {
            if (!Files.exists(dir.resolve("model.safetensors"))) {
                Files.createDirectories(dir);
                for (String file : FILES) {
                    copyResource(file, dir.resolve(file));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the embedded demo model into " + dir, e);
        }
    }

    private static void copyResource(String file, Path target) throws IOException {
        try (InputStream in = open(file)) {
            // Write beside the target and move, so a crash never leaves a half-written model file.
            Path partial = target.resolveSibling(file + ".partial");
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static InputStream open(String file) throws IOException {
        InputStream in = EmbeddedModel.class.getResourceAsStream("/" + NAME + "/" + file);
        if (in == null) {
            throw new IOException("embedded model file missing from the jar: " + NAME + "/" + file);
        }
        return in;
    }

    /** Distinguishes model versions without hashing 6 MB on every start: size of the weights file. */
    private static String fingerprint() {
        try (InputStream in = open("model.safetensors")) {
            return Long.toString(in.transferTo(java.io.OutputStream.nullOutputStream()), 36);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path cacheRoot(Settings settings) {
        if (settings.isSet(Setting.CACHE_DIR)) {
            return Path.of(settings.text(Setting.CACHE_DIR));
        }
        return Path.of(System.getProperty("user.home"), ".cache", "nbce");
    }
}
