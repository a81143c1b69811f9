package dev.nbce.launcher;

import dev.nbce.common.error.NbceException;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Entry point of bin/nbce: dispatches to one subcommand; errors are one line and a non-zero exit. */
public final class Main {
    /** Returned by servers: the process stays up on Vert.x's threads until it is stopped. */
    static final int KEEP_RUNNING = -1;

    interface Command {
        String summary();

        /** @param settings the process's NBCE_* environment, read once by {@link Main} */
        int run(List<String> args, Settings settings, PrintStream out, PrintStream err) throws Exception;
    }

    /**
     * Commands are made on first use: the gateway and worker images each carry only their role's classes, so
     * loading a command of the other role (bench, eval, …) must not be part of starting this one (lambdas, not
     * constructor references: a reference resolves its class when the map is filled).
     */
    private static final Map<String, Supplier<Command>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("serve", () -> new ServeCommand());
        COMMANDS.put("gateway", () -> new GatewayCommand());
        COMMANDS.put("worker", () -> new WorkerCommand());
        COMMANDS.put("generate", () -> new GenerateCommand());
        COMMANDS.put("eval", () -> new EvalCommand());
        COMMANDS.put("bench", () -> new BenchCommand());
        COMMANDS.put("certs", () -> new CertsCommand());
        COMMANDS.put("settings", () -> new SettingsCommand());
        COMMANDS.put("structured-bench", () -> new StructuredBenchCommand());
    }

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, Settings.ofProcess(), System.out, System.err);
        if (code != KEEP_RUNNING) {
            System.out.flush();
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, Settings.ofProcess(), out, err);
    }

    static int run(String[] args, Settings settings, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(out);
            return args.length == 0 ? 2 : 0;
        }
        Supplier<Command> command = COMMANDS.get(args[0]);
        if (command == null) {
            err.println("nbce: unknown command '" + args[0] + "'; expected one of " + String.join(", ", COMMANDS.keySet()));
            return 2;
        }
        try {
            return command.get().run(Arrays.asList(args).subList(1, args.length), settings, out, err);
        } catch (CliArgs.UsageException e) {
            err.println("nbce " + args[0] + ": " + e.getMessage());
            return 2;
        } catch (NbceException e) {
            err.println("nbce " + args[0] + ": invalid request: " + e.getMessage());
            return 1;
        } catch (NoClassDefFoundError e) {
            // The gateway and worker images each carry only their role's classes.
            err.println("nbce " + args[0] + ": error: this installation lacks the classes for '" + args[0]
                    + "' (missing " + e.getMessage() + "); use the image of that role");
            return 1;
        } catch (Exception | LinkageError e) {
            err.println("nbce " + args[0] + ": error: " + oneLine(e));
            if (settings.flag(Setting.DEBUG)) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root && (root.getMessage() == null || root.getMessage().isBlank())) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    private static String summary(Supplier<Command> command) {
        try {
            return command.get().summary();
        } catch (NoClassDefFoundError e) {
            return "(not in this installation: it carries another role's classes)";
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: nbce <command> [options]");
        COMMANDS.forEach((name, command) -> out.printf("  %-9s %s%n", name, summary(command)));
        out.println("Run 'nbce <command> --help' for a command's options.");
    }
}
