package dev.nbce.worker.decoder;

import ai.djl.ndarray.types.DataType;
import ai.djl.util.cuda.CudaUtils;
import dev.nbce.worker.model.ComputeDevice;
import dev.nbce.worker.model.DeviceSpec;
import java.util.Locale;

/**
 * How a decoder runs, beyond where: the compute precision and the prefill chunk.
 *
 * @param precision          {@link Precision#AUTO}: F32 on a CPU; on a GPU BF16 when it supports
 *                           it (compute capability 8.0 or newer), else F32. F16 only when asked: it
 *                           overflows where BF16-trained weights do not.
 * @param prefillChunkTokens the most new tokens of one row in one forward; longer prompts are
 *                           prefilled chunk by chunk (same result, bounded attention memory)
 * @param smallProducts      on a CPU, how the linear layers of forwards of a few tokens run ({@link SmallProducts})
 */
public record DecoderOptions(Precision precision, int prefillChunkTokens, SmallProducts smallProducts) {
    public static final int DEFAULT_PREFILL_CHUNK_TOKENS = 512;

    public enum Precision {
        AUTO, F32, F16, BF16;

        /** {@code auto}, {@code f32}, {@code f16} or {@code bf16} (as {@code --dtype} takes it). */
        public static Precision parse(String text) {
            String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            switch (s) {
                case "auto": return AUTO;
                case "f32": case "float32": return F32;
                case "f16": case "float16": return F16;
                case "bf16": case "bfloat16": return BF16;
                default: throw new IllegalArgumentException("dtype must be auto, f32, f16 or bf16, got '" + text + "'");
            }
        }
    }

    /** How a CPU runs the linear layers of forwards of a few tokens (docs/performance.md, "Small batches"). */
    public enum SmallProducts {
        /** One PyTorch call each. */
        WHOLE,
        /** Two halves of the output features at once on two threads, bit for bit one call ({@link SplitLinear}). */
        SPLIT,
        /** The Vector API on both cores, straight from the weights' memory ({@link VectorLinear}); SPLIT without it. */
        VECTOR;

        /** {@code whole}, {@code split} or {@code vector} (as {@code --small-products} takes it). */
        public static SmallProducts parse(String text) {
            String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
            for (SmallProducts kind : values()) {
                if (kind.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("--small-products must be vector, split or whole, got '" + text + "'");
        }
    }

    /** Automatic precision, chunks of {@value #DEFAULT_PREFILL_CHUNK_TOKENS} tokens. */
    public static final DecoderOptions DEFAULT = new DecoderOptions(Precision.AUTO, DEFAULT_PREFILL_CHUNK_TOKENS);

    /** Small products on the Vector API (the default). */
    public DecoderOptions(Precision precision, int prefillChunkTokens) {
        this(precision, prefillChunkTokens, SmallProducts.VECTOR);
    }

    public DecoderOptions {
        if (precision == null) {
            throw new IllegalArgumentException("precision is required");
        }
        if (smallProducts == null) {
            throw new IllegalArgumentException("smallProducts is required");
        }
        if (prefillChunkTokens < 1) {
            throw new IllegalArgumentException("prefill chunk must be at least 1 token, got " + prefillChunkTokens);
        }
    }

    public DecoderOptions withPrecision(Precision p) {
        return new DecoderOptions(p, prefillChunkTokens, smallProducts);
    }

    public DecoderOptions withPrefillChunkTokens(int tokens) {
        return new DecoderOptions(precision, tokens, smallProducts);
    }

    public DecoderOptions withSmallProducts(SmallProducts kind) {
        return new DecoderOptions(precision, prefillChunkTokens, kind);
    }

    /** The device and the dtype the weights, caches and activations live in there. */
    public ComputeDevice resolve(DeviceSpec spec) {
        ai.djl.Device device = spec.resolve().device();
        return new ComputeDevice(device, dtype(device.isGpu(), device.isGpu() && supportsBf16(device.getDeviceId())));
    }

    /** The rule, apart from device discovery: CPU F32 always; GPU BF16 if supported, F16 only when asked. */
    DataType dtype(boolean gpu, boolean gpuSupportsBf16) {
        if (!gpu) {
            if (precision != Precision.AUTO && precision != Precision.F32) {
                throw new IllegalArgumentException("dtype " + precision.name().toLowerCase(Locale.ROOT)
                        + " needs a GPU; the CPU computes in f32");
            }
            return DataType.FLOAT32;
        }
        switch (precision) {
            case F32: return DataType.FLOAT32;
            case F16: return DataType.FLOAT16;
            case BF16:
                if (!gpuSupportsBf16) {
                    throw new IllegalArgumentException("dtype bf16 needs a GPU of compute capability 8.0 or newer");
                }
                return DataType.BFLOAT16;
            default: return gpuSupportsBf16 ? DataType.BFLOAT16 : DataType.FLOAT32;
        }
    }

    private static boolean supportsBf16(int gpu) {
        try {
            String capability = CudaUtils.getComputeCapability(gpu); // e.g. "80", "90"
            return Integer.parseInt(capability.replaceAll("[^0-9]", "")) >= 80;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
