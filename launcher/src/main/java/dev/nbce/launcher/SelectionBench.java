package dev.nbce.launcher;

import dev.nbce.gateway.service.GatewayLimits;
import dev.nbce.gateway.session.SessionListener;
import dev.nbce.gateway.session.TokenEvent;
import dev.nbce.launcher.config.Settings;
import dev.nbce.launcher.config.WorkerOptions;
import dev.nbce.launcher.local.LocalRuntime;
import dev.nbce.worker.decoder.PrefixCacheOptions;
import dev.nbce.worker.model.DeviceSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code bench --selection [--windows 64] [--requests 5] [--cases FILE.jsonl]}: time to first token and decode
 * step time of haystack cases with n windows, one request at a time in process without a prefix cache, for the reference
 * (nbce_min_entropy) and the window-selection modes (docs/nbce-modes.md), measured in the same run.
 */
final class SelectionBench {
    static final List<String> METHODS = List.of("nbce_min_entropy", "nbce_selected", "nbce_entropy_pruned");

    private SelectionBench() {}

    /** When a request's tokens arrived. */
    private static final class Timing implements SessionListener {
        private final long start = System.nanoTime();
        private long first;
        private long last;
        private int tokens;

        @Override
        public void onToken(TokenEvent token) {
            last = System.nanoTime();
            if (tokens++ == 0) {
                first = last;
            }
        }
    }

    static void run(PrintStream out, Settings settings, Path modelDir, DeviceSpec device, List<EvalCommand.Case> cases)
            throws Exception {
        // No prefix cache: each method's requests prefill their rows as a first question does.
        try (LocalRuntime runtime = new LocalRuntime(modelDir, device, WorkerOptions.decoder(settings), PrefixCacheOptions.OFF, 1,
                GatewayLimits.DEFAULT)) {
            for (String method : METHODS) {
                runtime.submit(EvalCommand.requestFor(cases.get(0), method), SessionListener.NONE).join(); // warm-up
            }
            out.printf("%-22s %10s %16s  (%d cases of %d windows, one at a time)%n", "method", "ttft ms", "decode step ms",
                    cases.size(), cases.get(0).windows());
            for (String method : METHODS) {
                double ttft = 0;
                double stepSum = 0;
                int steps = 0;
                for (EvalCommand.Case c : cases) {
                    Timing timing = new Timing();
                    runtime.submit(EvalCommand.requestFor(c, method), timing).join();
                    ttft += (timing.first - timing.start) / 1e6;
                    if (timing.tokens > 1) {
                        stepSum += (timing.last - timing.first) / 1e6;
                        steps += timing.tokens - 1;
                    }
                }
                out.printf("%-22s %10.1f %16.2f%n", method, ttft / cases.size(), steps == 0 ? Double.NaN : stepSum / steps);
            }
        }
    }
}
