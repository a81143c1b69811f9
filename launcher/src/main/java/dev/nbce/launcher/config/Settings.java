package dev.nbce.launcher.config;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@link Setting}s of one process, read from an environment map. Absent or blank takes the
 * default; a bad value is an IllegalArgumentException naming the variable and what it must be, raised
 * when the value is read (each role reads only its own settings). Immutable.
 */
public final class Settings {
    private final Map<String, String> env;

    private Settings(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static Settings of(Map<String, String> env) {
        return new Settings(env);
    }

    /** This process's environment: the one place the code reads it. */
    public static Settings ofProcess() {
        return new Settings(System.getenv());
    }

    /** The same settings with {@code setting} set to {@code value}. */
    public Settings with(Setting setting, String value) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put(setting.variable(), value);
        return new Settings(copy);
    }

    /** The same settings with these variables set (e.g. the files of {@code ClusterTls#environment}). */
    public Settings with(Map<String, String> variables) {
        Map<String, String> copy = new HashMap<>(env);
        copy.putAll(variables);
        return new Settings(copy);
    }

    /** The same settings with {@code setting} set unless it already is. */
    public Settings withDefault(Setting setting, String value) {
        return isSet(setting) ? this : with(setting, value);
    }

    /** Everything this process was given, for the environment of the processes it starts. */
    public Map<String, String> environment() {
        return env;
    }

    public boolean isSet(Setting setting) {
        return raw(setting) != null;
    }

    /** The value as given, or null when absent or blank. */
    public String raw(Setting setting) {
        String value = env.get(setting.variable());
        return value == null || value.isBlank() ? null : value;
    }

    /** The text, or the default (null when there is none). */
    public String text(Setting setting) {
        String value = raw(setting);
        return value != null ? value.strip() : setting.spec().defaultValue();
    }

    public List<String> list(Setting setting) {
        String value = text(setting);
        return value == null ? List.of() : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public int integer(Setting setting) {
        long value = longInteger(setting);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalStateException(setting.variable() + " is read as an int but is declared as a long");
        }
        return (int) value;
    }

    public long longInteger(Setting setting) {
        String value = valueOrDefault(setting);
        Spec spec = setting.spec();
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed >= spec.min() && parsed <= spec.max()) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(setting, value);
    }

    public double fraction(Setting setting) {
        String value = valueOrDefault(setting);
        try {
            double parsed = Double.parseDouble(value.strip());
            if (parsed > 0 && parsed <= 1) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(setting, value);
    }

    /** true or false, in any case. */
    public boolean bool(Setting setting) {
        String value = valueOrDefault(setting).strip().toLowerCase(Locale.ROOT);
        if (value.equals("true") || value.equals("false")) {
            return value.equals("true");
        }
        throw invalid(setting, raw(setting));
    }

    /** A flag: on when set to anything. */
    public boolean flag(Setting setting) {
        return env.get(setting.variable()) != null;
    }

    private String valueOrDefault(Setting setting) {
        String value = raw(setting);
        if (value != null) {
            return value;
        }
        if (setting.spec().defaultValue() == null) {
            throw new IllegalStateException(setting.variable() + " has no default: check isSet first");
        }
        return setting.spec().defaultValue();
    }

    private static IllegalArgumentException invalid(Setting setting, String value) {
        return new IllegalArgumentException(setting.variable() + " must be " + setting.spec().expected() + ", got '" + value + "'");
    }
}
