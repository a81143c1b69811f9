package dev.nbce.launcher;

import dev.nbce.worker.model.DeviceSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/** The --model and --device options shared by the commands that load a model. */
final class ModelArgs {
    private ModelArgs() {}

    /** --model DIR, or the embedded demo model when absent. */
    static Path modelDir(CliArgs args) {
        String given = args.get("model");
        if (given == null) {
            return EmbeddedModel.directory();
        }
        Path dir = Path.of(given);
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new CliArgs.UsageException("--model " + given + " is not a model directory (no config.json)");
        }
        return dir;
    }

    /** The name workers announce and /v1/models lists: the model directory's name. */
    static String modelName(CliArgs args) {
        String configured = System.getenv("NBCE_MODEL_NAME");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String given = args.get("model");
        return given == null ? EmbeddedModel.NAME : Path.of(given).toAbsolutePath().normalize().getFileName().toString();
    }

    static DeviceSpec device(CliArgs args) {
        try {
            return DeviceSpec.parse(args.get("device", "auto"));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException(e.getMessage());
        }
    }
}
