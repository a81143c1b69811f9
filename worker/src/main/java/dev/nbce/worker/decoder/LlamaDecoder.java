package dev.nbce.worker.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.nbce.worker.decoder.StepProfile.Phase;
import dev.nbce.worker.model.ComputeDevice;
import dev.nbce.worker.model.DeviceSpec;
import dev.nbce.worker.model.ModelConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One decoder for Llama 2/3, Mistral, Qwen2 and Qwen3, running batched steps over rows that each
 * own a KV cache. The families differ only in configuration: q/k/v biases, a tied head, RoPE
 * frequency scaling (Llama 3), per-head q/k RMSNorm before RoPE (Qwen3) and sliding-window
 * attention (Mistral; Qwen with {@code use_sliding_window}).
 *
 * <p>A step appends new tokens to several rows at once, rows of different lengths, prefill and
 * single-token decode mixed, and no model math loops over rows. Per-token math (projections, MLP,
 * norms) runs once over all rows' new tokens packed end to end; attention runs per
 * {@link AttentionGroup} (at most two: single-token decodes and prefills, so a long prefill does not
 * pad every decoding row), with new tokens right-padded, the rows' pasts gathered into one padded
 * tensor and additive masks that hide padding and enforce causality (and windows) per row.
 * Temporaries live in a per-step {@link NDScope} with a nested {@link LayerScope} per layer, so a
 * step holds one layer's temporaries at a time; only the caches outlive a step. When a step
 * completes, each row's new keys and values are written into its own cache.
 *
 * <p>Long prompts are prefilled in chunks of at most {@link DecoderOptions#prefillChunkTokens()}
 * tokens per row, one forward per chunk, so attention never holds more than chunk x (past + chunk)
 * scores per head; the result is the same as one pass (each chunk attends to the cached past).
 *
 * <p>Compute dtype: F32 on CPU; on a GPU BF16 when it supports it (else F32), F16 only when asked
 * (RMSNorm statistics and softmax in F32, as HF does); see {@link DecoderOptions}.
 *
 * <p>Not thread-safe: one thread runs all steps and row lifecycle (the worker's inference thread).
 * Closing the decoder frees the weights and every row's cache.
 */
public final class LlamaDecoder implements AutoCloseable {
    private final LlamaWeights weights;
    private final ModelConfig config;
    private final NDManager stateManager;
    private final Rope rope;
    private final DecoderOptions options;
    /** Where the weights came from (its tokenizer.json compiles constraints); null for random weights. */
    private final Path directory;
    private StepProfile profile = StepProfile.OFF;
    /** The linear layers' kernel: for small products on a CPU, both cores ({@link DecoderOptions.SmallProducts}). */
    private final LinearKernel linearKernel;

    private LlamaDecoder(LlamaWeights weights, DecoderOptions options, Path directory) {
        this.weights = weights;
        this.directory = directory;
        this.config = weights.config();
        this.options = options;
        this.stateManager = weights.manager().newSubManager();
        this.rope = new Rope(config, stateManager);
        this.linearKernel = LinearKernel.forDevice(options.smallProducts(), !weights.device().device().isGpu());
    }

    /** Loads config.json (+ generation_config.json) and the safetensors weights of {@code modelDir}. */
    public static LlamaDecoder load(Path modelDir, DeviceSpec device) {
        return load(modelDir, device, DecoderOptions.DEFAULT);
    }

    public static LlamaDecoder load(Path modelDir, DeviceSpec device, DecoderOptions options) {
        ModelConfig config = ModelConfig.fromDirectory(modelDir);
        return new LlamaDecoder(LlamaWeights.load(modelDir, config, options.resolve(device)), options, modelDir);
    }

    /** A decoder of the given shape with seeded random weights, for benchmarks. */
    public static LlamaDecoder randomWeights(ModelConfig config, long seed, DeviceSpec device) {
        return randomWeights(config, seed, device, DecoderOptions.DEFAULT);
    }

    public static LlamaDecoder randomWeights(ModelConfig config, long seed, DeviceSpec device, DecoderOptions options) {
        return new LlamaDecoder(LlamaWeights.random(config, seed, options.resolve(device)), options, null);
    }

    /** A decoder over the same weights with other options (weights are shared, not copied; close only one). */
    LlamaDecoder withOptions(DecoderOptions other) {
        return new LlamaDecoder(weights, other, directory);
    }

    /** The model's tokenizer.json, which says what text each token id stands for; empty for random weights. */
    public java.util.Optional<Path> tokenizerJson() {
        return java.util.Optional.ofNullable(directory).map(d -> d.resolve("tokenizer.json"))
                .filter(java.nio.file.Files::isRegularFile);
    }

    public DecoderOptions options() {
        return options;
    }

    public ModelConfig config() {
        return config;
    }

    /** The device and compute dtype the weights live in. */
    public ComputeDevice device() {
        return weights.device();
    }

    /** Times every later forward into {@code profile} (null detaches it); for benches, on a CPU. */
    public void profile(StepProfile profile) {
        this.profile = profile == null ? StepProfile.OFF : profile;
    }

    /** For tests in this package. */
    LlamaWeights weights() {
        return weights;
    }

    /** A new, empty row; the caller closes it when the row finishes, is cancelled or fails. */
    public RowCache newRow() {
        return new RowCache(weights);
    }

    /** An empty prefix cache for rows of this decoder, bounded by its options alone; the caller closes it. */
    public PrefixCache newPrefixCache(PrefixCacheOptions options) {
        return newPrefixCache(options, () -> Long.MAX_VALUE);
    }

    /**
     * An empty prefix cache inside a KV budget: {@code room} says how many bytes of it the rows leave
     * (asked on the engine thread, before each block is stored); the caller closes it (engine thread only).
     */
    public PrefixCache newPrefixCache(PrefixCacheOptions options, java.util.function.LongSupplier room) {
        return new PrefixCache(weights, options, room);
    }

    /**
     * One batched forward: appends {@code tokens.get(i)} (length >= 1; prefill and single-token
     * decode may be mixed) to {@code rows.get(i)}, rows of different lengths, and returns each row's
     * logits at its last new position: {@code float[rows][vocab]}. Prompts longer than the prefill
     * chunk run as several forwards. If it throws, no row has changed.
     */
    public float[][] forward(List<RowCache> rows, List<int[]> tokens) {
        StepBatch.of(rows, tokens, weights); // validate everything before the first chunk runs
        int chunk = options.prefillChunkTokens();
        if (tokens.stream().allMatch(t -> t.length <= chunk)) {
            return run(rows, tokens, ones(rows.size()));
        }
        int[] startLengths = rows.stream().mapToInt(RowCache::length).toArray();
        int[] fed = new int[rows.size()];
        float[][] last = new float[rows.size()][];
        try {
            while (true) {
                // Every row with tokens left takes its next chunk; finished rows sit out.
                List<Integer> which = new ArrayList<>();
                List<int[]> chunkTokens = new ArrayList<>();
                for (int r = 0; r < rows.size(); r++) {
                    int[] all = tokens.get(r);
                    if (fed[r] < all.length) {
                        int n = Math.min(chunk, all.length - fed[r]);
                        which.add(r);
                        chunkTokens.add(java.util.Arrays.copyOfRange(all, fed[r], fed[r] + n));
                        fed[r] += n;
                    }
                }
                if (which.isEmpty()) {
                    return last;
                }
                float[][] out = run(which.stream().map(rows::get).toList(), chunkTokens, ones(which.size()));
                for (int k = 0; k < which.size(); k++) {
                    last[which.get(k)] = out[k];
                }
            }
        } catch (RuntimeException e) {
            for (int r = 0; r < rows.size(); r++) {
                if (!rows.get(r).isClosed()) {
                    rows.get(r).truncate(startLengths[r]);
                }
            }
            throw e;
        }
    }

    /**
     * As {@link #forward}, but row {@code i} returns the logits of its last {@code tails[i]} new positions: {@code
     * float[sum of tails][vocab]}, row after row, positions in order (a verification of drafted tokens). When a tail
     * is longer than one, the step runs as one forward, not in prefill chunks (drafts are a few tokens). If it
     * throws, no row has changed.
     */
    public float[][] forward(List<RowCache> rows, List<int[]> tokens, int[] tails) {
        if (tails.length != rows.size()) {
            throw new IllegalArgumentException(tails.length + " tails for " + rows.size() + " rows");
        }
        if (java.util.Arrays.stream(tails).allMatch(t -> t == 1)) {
            return forward(rows, tokens);
        }
        StepBatch.of(rows, tokens, weights);
        for (int i = 0; i < tails.length; i++) {
            if (tails[i] < 1 || tails[i] > tokens.get(i).length) {
                throw new IllegalArgumentException("row " + i + ": a tail of " + tails[i] + " positions of "
                        + tokens.get(i).length + " new tokens");
            }
        }
        return run(rows, tokens, tails);
    }

    private static int[] ones(int n) {
        int[] ones = new int[n];
        java.util.Arrays.fill(ones, 1);
        return ones;
    }

    /**
     * As {@link #forward} for one row, but returns the logits of every new position: {@code [n][vocab]}
     * (in prefill chunks too).
     */
    float[][] forwardAllPositions(RowCache row, int[] tokens) {
        int chunk = options.prefillChunkTokens();
        float[][] all = new float[tokens.length][];
        int start = row.length();
        try {
            for (int fed = 0; fed < tokens.length; fed += chunk) {
                int n = Math.min(chunk, tokens.length - fed);
                float[][] part = run(List.of(row), List.of(java.util.Arrays.copyOfRange(tokens, fed, fed + n)), new int[] {n});
                System.arraycopy(part, 0, all, fed, n);
            }
        } catch (RuntimeException e) {
            row.truncate(start);
            throw e;
        }
        return all;
    }

    /**
     * One forward of the given new tokens (no chunking), returning the logits of each row's last {@code tails[i]}
     * positions. If it throws, no row has changed.
     */
    private float[][] run(List<RowCache> rows, List<int[]> tokens, int[] tails) {
        long started = profile.start();
        try {
            return forwardOnce(rows, tokens, tails);
        } finally {
            profile.stopForward(started);
        }
    }

    private float[][] forwardOnce(List<RowCache> rows, List<int[]> tokens, int[] tails) {
        StepBatch batch = StepBatch.of(rows, tokens, weights);
        try (NDManager step = stateManager.newSubManager(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            DataType dtype = weights.device().dtype();
            long t = profile.start();
            List<GroupAttention> groups = new ArrayList<>(batch.groups.size());
            for (AttentionGroup group : batch.groups) {
                groups.add(new GroupAttention(group, rows, config, dtype, step));
            }
            profile.stop(Phase.KV_GATHER, t);
            NDArray hidden = layers(step, batch, groups);                       // [tokens, hidden]

            t = profile.start();
            NDArray selected = Ops.gatherRows(hidden, step.create(batch.tailTokens(tails))); // [sum of tails, hidden]
            NDArray normed = Ops.rmsNorm(selected, weights.finalNorm(), (float) config.rmsNormEps());
            NDArray logits = linearKernel.apply(normed, weights.lmHead(), null); // [N, vocab]
            profile.stop(Phase.LM_HEAD, t);
            t = profile.start();
            float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
            float[][] out = split(flat, (int) logits.getShape().get(0), config.vocab());
            profile.stop(Phase.LOGITS_OUT, t);

            t = profile.start();
            groups.forEach(g -> g.appendToCaches(rows, tokens));
            profile.stop(Phase.KV_APPEND, t);
            profile.countTensors(scope);
            return out;
        }
    }

    /** Embedding and all decoder layers over the packed new tokens: {@code [tokens, hidden]}. */
    private NDArray layers(NDManager step, StepBatch batch, List<GroupAttention> groups) {
        long t = profile.start();
        // [tokens] -> [tokens, hidden]
        NDArray x = Ops.gatherRows(weights.embedding(), step.create(batch.packedIds()));
        NDList angles = rope.angles(step.create(batch.packedPositions()), weights.device().dtype());
        profile.stop(Phase.EMBEDDING, t);
        for (int l = 0; l < config.layers(); l++) {
            t = profile.start();
            try (LayerScope scope = new LayerScope()) {
                x = scope.keep(layer(l, x, angles, batch, groups, scope));
                scope.countTensors(profile);
            }
            profile.stopLayer(t);
        }
        return x;
    }

    /** One pre-norm decoder block: {@code [tokens, hidden] -> [tokens, hidden]}. */
    private NDArray layer(int l, NDArray x, NDList angles, StepBatch batch, List<GroupAttention> groups,
                          LayerScope scope) {
        LlamaWeights.Layer w = weights.layers().get(l);
        float eps = (float) config.rmsNormEps();
        long qkHeads = config.heads() + config.kvHeads();

        // Attention. [tokens, hidden] -> [tokens, (heads + 2 kv) * dim] -> [tokens, heads + 2 kv, dim]
        NDArray qkv = linear(Phase.QKV, Ops.rmsNorm(x, w.inputNorm(), eps), w.qkv(), w.qkvBias())
                .reshape(batch.tokens, qkHeads + config.kvHeads(), config.headDim());
        NDList qkAndV = qkv.split(new long[] {qkHeads}, 1);
        NDArray qk = qkAndV.get(0);                                             // [tokens, heads + kv, dim]
        if (w.qkNorm() != null) {
            // Qwen3: RMSNorm over each q and k head's dim values, before RoPE. [heads + kv, dim] gains
            qk = Ops.rmsNorm(qk, w.qkNorm(), eps);
        }
        // RoPE on q and k heads together: [tokens, heads + kv, dim]
        qk = Rope.apply(qk, angles.get(0), angles.get(1));
        long t = profile.start();
        NDArray attended = attend(groups, batch, l, qk, qkAndV.get(1), scope); // [tokens, heads * dim]
        profile.stop(Phase.ATTENTION, t);
        x = x.add(linear(Phase.O_PROJ, attended, w.output(), null));

        // SwiGLU MLP: [tokens, hidden] -> [tokens, 2 * inter] -> [tokens, inter] -> [tokens, hidden]
        NDList gateUp = linear(Phase.GATE_UP, Ops.rmsNorm(x, w.postAttentionNorm(), eps), w.gateUp(), null).split(2, 1);
        return x.add(linear(Phase.DOWN, Ops.silu(gateUp.get(0)).mul(gateUp.get(1)), w.down(), null));
    }

    /** {@code x × weight}ᵀ {@code + bias} (bias may be null) by the kernel chosen for this device, timed as {@code phase}. */
    private NDArray linear(Phase phase, NDArray x, NDArray weight, NDArray bias) {
        long t = profile.start();
        NDArray y = linearKernel.apply(x, weight, bias);
        profile.stop(phase, t);
        return y;
    }

    /** Each attention group on its slice of the packed tokens (at most two groups: decodes, prefills). */
    private static NDArray attend(List<GroupAttention> groups, StepBatch batch, int layer, NDArray qk, NDArray v,
                                  LayerScope scope) {
        if (groups.size() == 1) {
            return groups.get(0).attend(layer, qk, v, scope);
        }
        NDList parts = new NDList(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            AttentionGroup group = batch.groups.get(g);
            NDIndex slice = new NDIndex().addSliceDim(group.firstToken, group.firstToken + group.tokens);
            parts.add(groups.get(g).attend(layer, qk.get(slice), v.get(slice), scope));
        }
        return NDArrays.concat(parts, 0);
    }

    private static float[][] split(float[] flat, int rows, int vocab) {
        float[][] out = new float[rows][vocab];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(flat, r * vocab, out[r], 0, vocab);
        }
        return out;
    }

    @Override
    public void close() {
        linearKernel.close();
        weights.close();
    }
}
