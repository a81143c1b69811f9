package dev.nbce.worker.model;

import java.util.Arrays;
import java.util.Optional;

/** The Llama-family architectures one decoder serves; they differ only in configuration. */
public enum Architecture {
    LLAMA("LlamaForCausalLM"),
    QWEN2("Qwen2ForCausalLM"),
    MISTRAL("MistralForCausalLM"),
    /** Qwen2 without biases (unless attention_bias) plus per-head q/k RMSNorm before RoPE. */
    QWEN3("Qwen3ForCausalLM");

    private final String hubName;

    Architecture(String hubName) {
        this.hubName = hubName;
    }

    /** The name used in config.json's {@code architectures} list. */
    public String hubName() {
        return hubName;
    }

    public static Optional<Architecture> fromHubName(String name) {
        return Arrays.stream(values()).filter(a -> a.hubName.equals(name)).findFirst();
    }
}
