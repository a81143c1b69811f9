package dev.nbce.launcher;

import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.worker.decoder.DecoderOptions;
import dev.nbce.worker.model.DeviceSpec;
import java.nio.file.Files;
import java.nio.file.Path;

/** The --model, --device, --dtype and --prefill-chunk-tokens options shared by the commands that load a model. */
final class ModelArgs {
    private ModelArgs() {}

    /** --model DIR, or the embedded demo model when absent. */
    static Path modelDir(CliArgs args, Settings settings) {
        String given = args.get("model");
        if (given == null) {
            return EmbeddedModel.directory(settings);
        }
        Path dir = Path.of(given);
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new CliArgs.UsageException("--model " + given + " is not a model directory (no config.json)");
        }
        return dir;
    }

    /** The name workers announce and /v1/models lists: NBCE_MODEL_NAME, else the model directory's name. */
    static String modelName(CliArgs args, Settings settings) {
        if (settings.isSet(Setting.MODEL_NAME)) {
            return settings.text(Setting.MODEL_NAME);
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

    /**
     * --dtype auto|f32|f16|bf16 (auto: f32 on a CPU, bf16 on a GPU that supports it) and
     * --prefill-chunk-tokens N (default: env NBCE_PREFILL_CHUNK_TOKENS, else 512).
     */
    static DecoderOptions decoderOptions(CliArgs args, Settings settings) {
        DecoderOptions fromSettings = WorkerOptions.decoder(settings);
        try {
            DecoderOptions options = fromSettings.withPrecision(DecoderOptions.Precision.parse(args.get("dtype", "auto")));
            String chunk = args.get("prefill-chunk-tokens");
            options = chunk == null ? options : options.withPrefillChunkTokens(Integer.parseInt(chunk.trim()));
            String products = args.get("small-products");
            return products == null ? options : options.withSmallProducts(DecoderOptions.SmallProducts.parse(products));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException(e.getMessage());
        }
    }
}
