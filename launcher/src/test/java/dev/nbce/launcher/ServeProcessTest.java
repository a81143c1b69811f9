package dev.nbce.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nbce.launcher.config.Settings;
import dev.nbce.common.testing.StartsProcesses;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nbce serve} in a process of its own, killed with SIGKILL: its shutdown hook never runs, yet its
 * worker must not outlive it (it watches the process that started it).
 */
@StartsProcesses
class ServeProcessTest {
    /** A `nbce serve --workers 1` process, ready, its output in {@code log}. */
    private static Process startServe(Path dir, Path log) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-Dai.djl.offline=true",
                "--add-modules=jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), "dev.nbce.launcher.Main",
                "serve", "--workers", "1", "--port", "0", "--worker-heap", "512m"))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("NBCE_CACHE_DIR", dir.resolve("cache").toString());
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().keySet().removeIf(k -> k.startsWith("NBCE_CLUSTER") || k.equals("NBCE_METRICS_PORT"));
        Process serve = builder.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.readString(log).contains("NBCE chat ready") && System.nanoTime() < deadline && serve.isAlive()) {
            Thread.sleep(200);
        }
        if (!Files.readString(log).contains("NBCE chat ready")) {
            serve.destroyForcibly();
            throw new AssertionError("serve never got ready:\n" + Files.readString(log));
        }
        return serve;
    }

    /** What a test does with a ready serve process, its worker processes and its log. */
    private interface ServeCheck {
        void run(Process serve, List<ProcessHandle> workers, Path log) throws Exception;
    }

    /** Runs {@code check} against a fresh serve; every process it started is killed afterwards. */
    private static void withServe(Path dir, ServeCheck check) throws Exception {
        Path log = dir.resolve("serve.log");
        Process serve = startServe(dir, log);
        List<ProcessHandle> workers = serve.toHandle().children().toList();
        try {
            assertEquals(1, workers.size(), "serve started one worker process");
            check.run(serve, workers, log);
        } finally {
            serve.destroyForcibly();
            workers.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aServeKilledWithSigkillTakesItsWorkerWithIt(@TempDir Path dir) throws Exception {
        withServe(dir, (serve, workers, log) -> {
            serve.destroyForcibly();
            assertTrue(serve.waitFor(30, TimeUnit.SECONDS), "serve died");
            long killedAt = System.nanoTime();
            workers.get(0).onExit().get(60, TimeUnit.SECONDS);
            System.out.printf("serve SIGKILL -> its worker exited after %.0f ms%n", (System.nanoTime() - killedAt) / 1e6);
            assertTrue(Files.readString(log).contains("has ended; stopping"), Files.readString(log));
        });
    }

    /** SIGTERM with nothing in flight: the drain ends at once, serve stops its worker and exits, with no error logged. */
    @Test
    void anIdleServeStopsPromptlyOnSigterm(@TempDir Path dir) throws Exception {
        withServe(dir, (serve, workers, log) -> {
            long termAt = System.nanoTime();
            serve.destroy();
            assertTrue(serve.waitFor(40, TimeUnit.SECONDS), "serve exits on SIGTERM:\n" + Files.readString(log));
            System.out.printf("idle serve SIGTERM -> exited after %.0f ms%n", (System.nanoTime() - termAt) / 1e6);
            workers.get(0).onExit().get(30, TimeUnit.SECONDS);
            String output = Files.readString(log);
            assertTrue(output.contains("drained and left the cluster"), output);
            String ours = withoutVertxCloseRace(output);
            assertTrue(!ours.contains("Unhandled exception") && !ours.contains("ERROR"), output);
        });
    }

    /** What the race below throws: a second completion, or a completion posted to an event loop already gone. */
    private static final java.util.Set<String> RACE_EXCEPTIONS = java.util.Set.of(
            "java.lang.IllegalStateException: Promise already completed",
            "java.util.concurrent.RejectedExecutionException: event executor terminated");

    /**
     * The output less the records of one Vert.x race, which no code of ours is in: when an event-bus TCP connection
     * closes at shutdown with writes still queued, Vert.x fails their promises from {@code VertxConnection$1.cancel}
     * a second time, or on an event loop already terminated, and logs "Unhandled exception" (the family of
     * eclipse-vertx/vert.x#6169 and #6197); seen in the runs of 2026-12-07 at idle shutdown. Every other error still
     * fails the test.
     */
    static String withoutVertxCloseRace(String output) {
        List<String> lines = output.lines().toList();
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            int end = i + 2;
            while (end < lines.size() && lines.get(end).startsWith("\tat ")) {
                end++;
            }
            boolean race = lines.get(i).contains("ERROR ContextImpl - Unhandled exception") && i + 1 < lines.size()
                    && RACE_EXCEPTIONS.contains(lines.get(i + 1))
                    && lines.subList(i + 2, end).stream().anyMatch(l -> l.contains("io.vertx.core.net.impl.VertxConnection$1.cancel"));
            if (race) {
                i = end - 1; // the record: its line, the exception and its stack
            } else {
                kept.append(lines.get(i)).append('\n');
            }
        }
        return kept.toString();
    }

    @Test
    void onlyTheVertxCloseRaceIsLeftOutOfTheOutput() {
        String race = "2026-12-07T22:17:54.632+0000 ERROR ContextImpl - Unhandled exception\n"
                + "java.lang.IllegalStateException: Promise already completed\n"
                + "\tat io.vertx.core.Promise.fail(Promise.java:104)\n"
                + "\tat io.vertx.core.net.impl.VertxConnection$1.cancel(VertxConnection.java:422)\n"
                + "\tat java.base/java.lang.Thread.run(Thread.java:840)\n";
        String ours = "2026-12-07T22:17:54.700+0000 ERROR ContextImpl - Unhandled exception\n"
                + "java.lang.IllegalStateException: Promise already completed\n"
                + "\tat dev.nbce.gateway.Something.run(Something.java:1)\n";
        String drained = "nbce worker w: drained and left the cluster (no rows left)\n";
        String rejected = "2026-12-07T22:34:49.959+0000 ERROR ContextImpl - Unhandled exception\n"
                + "java.util.concurrent.RejectedExecutionException: event executor terminated\n"
                + "\tat io.vertx.core.net.impl.VertxConnection$1.cancel(VertxConnection.java:422)\n";
        assertEquals(drained, withoutVertxCloseRace(race + rejected + drained));
        assertEquals(drained + ours, withoutVertxCloseRace(race + drained + race + ours));
    }

    @Test
    void aBadOrDeadParentIsAClearError() {
        PrintStream err = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> ParentWatch.start(Settings.of(Map.of(ParentWatch.PARENT_PID_ENV, "serve")), err, "nbce worker w"));
        assertTrue(bad.getMessage().contains(ParentWatch.PARENT_PID_ENV), bad.getMessage());
        IllegalStateException gone = assertThrows(IllegalStateException.class,
                () -> ParentWatch.start(Settings.of(Map.of(ParentWatch.PARENT_PID_ENV, Long.toString(Long.MAX_VALUE))), err, "nbce worker w"));
        assertTrue(gone.getMessage().contains("has already ended"), gone.getMessage());
        ParentWatch.start(Settings.of(Map.of()), err, "nbce worker w"); // unset: nothing to watch
    }
}
