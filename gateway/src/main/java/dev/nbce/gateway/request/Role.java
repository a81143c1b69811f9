package dev.nbce.gateway.request;

import java.util.Optional;

/**
 * Who speaks a turn of a conversation. A chat template receives {@link #wireName()}, the role as JSON
 * and Jinja spell it; OpenAI's {@code developer} is read as {@link #SYSTEM}.
 */
public enum Role {
    SYSTEM("system"),
    USER("user"),
    ASSISTANT("assistant"),
    /** A function's result, answering an assistant's tool call (OpenAI chat only). */
    TOOL("tool");

    private final String wireName;

    Role(String wireName) {
        this.wireName = wireName;
    }

    /** The role as JSON writes it and a chat template compares it, e.g. "user". */
    public String wireName() {
        return wireName;
    }

    /** The role spelled {@code name}, if it is one. */
    public static Optional<Role> byWireName(String name) {
        for (Role role : values()) {
            if (role.wireName.equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
