package dev.nbce.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of a model directory: a single {@code model.safetensors}, or shards listed in
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor name to shard file).
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    /** Where a tensor lives. */
    public record Located(SafetensorsFile file, TensorInfo info) {
    }

    private final Path source;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> byTensor;

    private SafetensorsCheckpoint(Path source, List<SafetensorsFile> files, Map<String, SafetensorsFile> byTensor) {
        this.source = source;
        this.files = files;
        this.byTensor = byTensor;
    }

    public static SafetensorsCheckpoint open(Path modelDir) {
        Path index = modelDir.resolve(INDEX_FILE);
        if (Files.exists(index)) {
            return openSharded(index);
        }
        Path single = modelDir.resolve(SINGLE_FILE);
        if (!Files.exists(single)) {
            throw new ModelFormatException(modelDir + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE);
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> byTensor = new HashMap<>();
        file.tensors().keySet().forEach(name -> byTensor.put(name, file));
        return new SafetensorsCheckpoint(single, List.of(file), byTensor);
    }

    private static SafetensorsCheckpoint openSharded(Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new HashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                SafetensorsFile shard = shards.get(e.getValue());
                if (shard == null) {
                    shard = SafetensorsFile.open(index.resolveSibling(e.getValue()));
                    shards.put(e.getValue(), shard);
                }
                byTensor.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsCheckpoint(index, new ArrayList<>(shards.values()), byTensor);
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode map;
        try {
            map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index + ": invalid JSON: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new ModelFormatException(index + ": missing or empty 'weight_map'");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String shard = e.getValue().asText("");
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\")) {
                throw new ModelFormatException(index + ": bad shard name for '" + e.getKey() + "': " + e.getValue());
            }
            weightMap.put(e.getKey(), shard);
        }
        return weightMap;
    }

    /** The file that lists the tensors: model.safetensors or the index. */
    public Path source() {
        return source;
    }

    public boolean contains(String name) {
        return byTensor.containsKey(name);
    }

    public Located locate(String name) {
        SafetensorsFile file = byTensor.get(name);
        if (file == null) {
            throw new ModelFormatException(source + ": missing tensor '" + name + "'");
        }
        return new Located(file, file.info(name));
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
