package dev.nbce.gateway.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nbce.common.testing.Fixtures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The tokenizer files of the real models in {@code tokenizers/reference.json}, installed by npm from the
 * packages that reference names ({@code gateway/src/test/tokenizers/package.json}; {@code .ci/run} runs
 * {@code npm ci} there). Missing or different files fail the test: they are never skipped.
 */
final class RealTokenizers {

    static final String PACKAGE_DIR = "gateway/src/test/tokenizers";
    static final String INSTALL = "run .ci/run, or: (cd " + PACKAGE_DIR + " && npm ci --ignore-scripts)";

    private RealTokenizers() {}

    static JsonNode reference() {
        return Fixtures.readJson(Fixtures.file("tokenizers/reference.json"));
    }

    /**
     * The folder holding {@code tokenizer.json} and {@code tokenizer_config.json} of one model, after
     * checking both against the sha256 that reference.json records.
     */
    static Path modelDirectory(JsonNode model) {
        Path packageRoot = Fixtures.repositoryRoot().resolve(PACKAGE_DIR).resolve("node_modules")
                .resolve(model.get("npm_package").asText());
        Path tokenizer = inPackage(packageRoot, model.get("tokenizer_json").asText());
        Path config = inPackage(packageRoot, model.get("tokenizer_config_json").asText());
        if (!Files.isRegularFile(tokenizer) || !Files.isRegularFile(config)) {
            throw new AssertionError(model.get("npm_package").asText() + "@" + model.get("version").asText()
                    + " is not installed (no " + tokenizer + "): " + INSTALL);
        }
        if (!tokenizer.getParent().equals(config.getParent())) {
            throw new AssertionError("tokenizer.json and tokenizer_config.json must share a folder");
        }
        checkSha256(tokenizer, model.get("tokenizer_json_sha256").asText());
        checkSha256(config, model.get("tokenizer_config_json_sha256").asText());
        return tokenizer.getParent();
    }

    /** reference.json names files as they lie in the npm tarball ({@code package/...}). */
    private static Path inPackage(Path packageRoot, String tarballPath) {
        String prefix = "package/";
        if (!tarballPath.startsWith(prefix)) {
            throw new AssertionError("unexpected tarball path " + tarballPath);
        }
        return packageRoot.resolve(tarballPath.substring(prefix.length()));
    }

    private static void checkSha256(Path file, String expected) {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new AssertionError(file + " has sha256 " + actual + ", reference.json expects " + expected
                    + ": reinstall the pinned package (" + INSTALL + ")");
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
