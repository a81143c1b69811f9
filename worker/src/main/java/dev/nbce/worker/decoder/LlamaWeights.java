package dev.nbce.worker.decoder;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.nbce.worker.model.ComputeDevice;
import dev.nbce.worker.model.ModelConfig;
import dev.nbce.worker.model.SafetensorsCheckpoint;
import dev.nbce.worker.model.TensorLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The immutable weights of a Llama-family decoder, loaded once per worker and shared by all rows.
 *
 * <p>Projections that read the same input are fused at load time (q/k/v into one matrix, gate/up
 * into another) so a layer issues two fewer matmuls per step. Linear weights keep the checkpoint's
 * {@code [out, in]} layout; the engine's linear op multiplies by the transpose.
 */
final class LlamaWeights implements AutoCloseable {

    /**
     * @param qkv {@code [(heads + 2 kvHeads) * headDim, hidden]}: q rows, then k, then v
     * @param qkvBias {@code [(heads + 2 kvHeads) * headDim]} or null
     * @param qkNorm {@code [heads + kvHeads, headDim]}: Qwen3's q_norm gain on every query head,
     *     then k_norm's on every key head; null without q/k norms
     * @param gateUp {@code [2 * intermediate, hidden]}: gate rows, then up
     */
    record Layer(NDArray inputNorm, NDArray qkv, NDArray qkvBias, NDArray qkNorm, NDArray output,
                 NDArray postAttentionNorm, NDArray gateUp, NDArray down) {
    }

    private final ModelConfig config;
    private final ComputeDevice device;
    private final NDManager manager;
    private final NDArray embedding;
    private final List<Layer> layers;
    private final NDArray finalNorm;
    private final NDArray lmHead;

    private LlamaWeights(ModelConfig config, ComputeDevice device, NDManager manager, NDArray embedding,
                         List<Layer> layers, NDArray finalNorm, NDArray lmHead) {
        this.config = config;
        this.device = device;
        this.manager = manager;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
    }

    /** Loads the checkpoint in {@code modelDir}; names follow the hub's Llama/Qwen2/Mistral layout. */
    static LlamaWeights load(Path modelDir, ModelConfig config, ComputeDevice device) {
        NDManager manager = NDManager.newBaseManager(device.device(), ComputeDevice.ENGINE);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(modelDir)) {
            TensorLoader loader = new TensorLoader(checkpoint, manager, device);
            return build(config, device, manager, new CheckpointSource(loader));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Random weights of the configured shape, for benchmarks: N(0, 0.02) matrices, unit norms. */
    static LlamaWeights random(ModelConfig config, long seed, ComputeDevice device) {
        NDManager manager = NDManager.newBaseManager(device.device(), ComputeDevice.ENGINE);
        try {
            Engine.getEngine(ComputeDevice.ENGINE).setRandomSeed((int) seed);
            return build(config, device, manager, new RandomSource(manager, device));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static LlamaWeights build(ModelConfig c, ComputeDevice device, NDManager manager, Source source) {
        long hidden = c.hidden();
        long qRows = (long) c.heads() * c.headDim();
        long kvRows = (long) c.kvHeads() * c.headDim();
        NDArray embedding = source.matrix("model.embed_tokens.weight", new Shape(c.vocab(), hidden));
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            NDArray qkv = fuse(
                    source.matrix(p + "self_attn.q_proj.weight", new Shape(qRows, hidden)),
                    source.matrix(p + "self_attn.k_proj.weight", new Shape(kvRows, hidden)),
                    source.matrix(p + "self_attn.v_proj.weight", new Shape(kvRows, hidden)));
            NDArray qkvBias = !c.attentionBias() ? null : fuse(
                    source.bias(p + "self_attn.q_proj.bias", new Shape(qRows)),
                    source.bias(p + "self_attn.k_proj.bias", new Shape(kvRows)),
                    source.bias(p + "self_attn.v_proj.bias", new Shape(kvRows)));
            NDArray qkNorm = !c.qkNorm() ? null : fuse(
                    broadcast(source.norm(p + "self_attn.q_norm.weight", new Shape(c.headDim())), c.heads()),
                    broadcast(source.norm(p + "self_attn.k_norm.weight", new Shape(c.headDim())), c.kvHeads()));
            NDArray gateUp = fuse(
                    source.matrix(p + "mlp.gate_proj.weight", new Shape(c.intermediate(), hidden)),
                    source.matrix(p + "mlp.up_proj.weight", new Shape(c.intermediate(), hidden)));
            layers.add(new Layer(
                    source.norm(p + "input_layernorm.weight", new Shape(hidden)),
                    qkv,
                    qkvBias,
                    qkNorm,
                    source.matrix(p + "self_attn.o_proj.weight", new Shape(hidden, qRows)),
                    source.norm(p + "post_attention_layernorm.weight", new Shape(hidden)),
                    gateUp,
                    source.matrix(p + "mlp.down_proj.weight", new Shape(hidden, c.intermediate()))));
        }
        NDArray finalNorm = source.norm("model.norm.weight", new Shape(hidden));
        // A tied head reuses the embedding matrix; the checkpoint's lm_head (if any) is ignored, as HF does.
        NDArray lmHead = c.tieWordEmbeddings() ? embedding
                : source.matrix("lm_head.weight", new Shape(c.vocab(), hidden));
        return new LlamaWeights(c, device, manager, embedding, layers, finalNorm, lmHead);
    }

    /** {@code [dim] -> [heads, dim]}, one copy of the gain per head (frees the input). */
    private static NDArray broadcast(NDArray gain, int heads) {
        NDArray repeated = gain.expandDims(0).repeat(0, heads);
        gain.close();
        return repeated;
    }

    /** Concatenates along the output axis and frees the parts. */
    private static NDArray fuse(NDArray... parts) {
        NDList list = new NDList(parts);
        NDArray fused = NDArrays.concat(list);
        list.close();
        return fused;
    }

    ModelConfig config() {
        return config;
    }

    ComputeDevice device() {
        return device;
    }

    NDManager manager() {
        return manager;
    }

    /** {@code [vocab, hidden]} */
    NDArray embedding() {
        return embedding;
    }

    List<Layer> layers() {
        return layers;
    }

    /** {@code [hidden]} */
    NDArray finalNorm() {
        return finalNorm;
    }

    /** {@code [vocab, hidden]} */
    NDArray lmHead() {
        return lmHead;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Where weights come from: a checkpoint or a random generator. */
    private interface Source {
        NDArray matrix(String name, Shape shape);

        NDArray bias(String name, Shape shape);

        NDArray norm(String name, Shape shape);
    }

    private record CheckpointSource(TensorLoader loader) implements Source {
        @Override
        public NDArray matrix(String name, Shape shape) {
            return loader.load(name, shape);
        }

        @Override
        public NDArray bias(String name, Shape shape) {
            return loader.load(name, shape);
        }

        @Override
        public NDArray norm(String name, Shape shape) {
            return loader.load(name, shape);
        }
    }

    private record RandomSource(NDManager manager, ComputeDevice device) implements Source {
        private static final float STD = 0.02f;

        @Override
        public NDArray matrix(String name, Shape shape) {
            return inComputeType(manager.randomNormal(0f, STD, shape, DataType.FLOAT32));
        }

        @Override
        public NDArray bias(String name, Shape shape) {
            return matrix(name, shape);
        }

        @Override
        public NDArray norm(String name, Shape shape) {
            return inComputeType(manager.ones(shape, DataType.FLOAT32));
        }

        private NDArray inComputeType(NDArray f32) {
            if (device.dtype() == DataType.FLOAT32) {
                return f32;
            }
            NDArray cast = f32.toType(device.dtype(), false);
            f32.close();
            return cast;
        }
    }
}
