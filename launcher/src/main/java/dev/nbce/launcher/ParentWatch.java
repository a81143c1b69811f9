package dev.nbce.launcher;

import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import java.io.PrintStream;
import java.util.Optional;

/**
 * Ends a process when the one that started it has ended. {@code nbce serve} stops its workers from a
 * shutdown hook, which a SIGKILL (or a crash) never runs; without this, its workers would outlive it
 * and keep their ports and memory. The exit runs the worker's own shutdown hook, so it still drains.
 */
final class ParentWatch {
    /** The process id whose end ends this one; {@code serve} sets it for the workers it starts. */
    static final String PARENT_PID_ENV = Setting.PARENT_PID.variable();

    private ParentWatch() {}

    /** Watches the process named by {@value #PARENT_PID_ENV}, if set. */
    static void start(Settings settings, PrintStream err, String who) {
        if (!settings.isSet(Setting.PARENT_PID)) {
            return;
        }
        long pid = settings.longInteger(Setting.PARENT_PID);
        Optional<ProcessHandle> parent = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (parent.isEmpty()) {
            throw new IllegalStateException(who + ": the process that started it (pid " + pid + ") has already ended");
        }
        parent.get().onExit().thenRun(() -> {
            err.println(who + ": the process that started it (pid " + pid + ") has ended; stopping");
            System.exit(0);
        });
    }
}
