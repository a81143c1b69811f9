package dev.nbce.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** `--name value` and `--flag` options of one subcommand; anything unexpected is a usage error. */
final class CliArgs {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags;

    private CliArgs(Set<String> flags) {
        this.flags = flags;
    }

    static CliArgs parse(List<String> args, Set<String> valued, Set<String> flags) {
        CliArgs parsed = new CliArgs(flags);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String name = arg.startsWith("--") ? arg.substring(2) : null;
            String inline = null;
            if (name != null && name.contains("=")) {
                inline = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            if (name != null && flags.contains(name) && inline == null) {
                parsed.values.put(name, "true");
            } else if (name != null && valued.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                parsed.values.put(name, value);
            } else {
                List<String> known = new ArrayList<>();
                valued.forEach(v -> known.add("--" + v + " VALUE"));
                flags.forEach(f -> known.add("--" + f));
                throw new UsageException("unknown option '" + arg + "'" + (known.isEmpty() ? "" : "; expected " + String.join(", ", known)));
            }
        }
        return parsed;
    }

    String get(String name) {
        return values.get(name);
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** Whether the option was given at all. */
    boolean has(String name) {
        return get(name) != null;
    }

    boolean flag(String name) {
        return flags.contains(name) && values.containsKey(name);
    }

    int integer(String name, int fallback, int min, int max) {
        String value = values.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw new UsageException("--" + name + " must be within " + min + ".." + max + ", got " + parsed);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + value + "'");
        }
    }

    /** A bad command line: printed as one line, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }
}
