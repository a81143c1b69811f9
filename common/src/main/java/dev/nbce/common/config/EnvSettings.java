package dev.nbce.common.config;

import java.util.Map;

/**
 * Numbers read from the {@code NBCE_*} environment: absent or blank takes the default, anything that is
 * not a number stops the process with a message naming the variable (never a bare NumberFormatException).
 */
public final class EnvSettings {
    private EnvSettings() {}

    public static int integer(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }

    public static long longInteger(Map<String, String> env, String name, long fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'");
        }
    }
}
