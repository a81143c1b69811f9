package dev.nbce.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A model directory's weights, tokenizer and chat template with {@code max_position_embeddings} raised,
 * in a temporary directory (links to the files, a changed config.json), so that a small model takes
 * longer windows than it was trained for: same shape, same cost per token, text past the trained
 * length not meaningful. For timing only. Deleted on close.
 */
final class RaisedPositionsModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path directory;

    private RaisedPositionsModel(Path directory) {
        this.directory = directory;
    }

    static RaisedPositionsModel of(Path modelDir, int maxPositions) {
        try {
            Path dir = Files.createTempDirectory("nbce-positions-" + maxPositions + "-");
            try (Stream<Path> files = Files.list(modelDir)) {
                for (Path file : files.toList()) {
                    if (!file.getFileName().toString().equals("config.json")) {
                        Files.createSymbolicLink(dir.resolve(file.getFileName()), file.toAbsolutePath());
                    }
                }
            }
            ObjectNode config = (ObjectNode) JSON.readTree(modelDir.resolve("config.json").toFile());
            config.put("max_position_embeddings", maxPositions);
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
            return new RaisedPositionsModel(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + modelDir + " with " + maxPositions + " positions", e);
        }
    }

    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + directory, e);
        }
    }
}
