package dev.nbce.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A `nbce` node in a process of its own with its output in a log file: stopped with real signals. */
abstract class NodeProcess implements AutoCloseable {
    private final Process process;
    private final Path log;

    NodeProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public Process process() {
        return process;
    }

    /** SIGKILL: no drain, no goodbye, as when a node dies. */
    public void kill() {
        process.destroyForcibly();
    }

    /** SIGTERM: the node drains (a gateway its streams, a worker its rows) before it leaves. */
    public void terminate() {
        process.destroy();
    }

    public boolean waitForExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
