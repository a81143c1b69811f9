package dev.nbce.launcher;


import dev.nbce.common.wire.WorkerStatus;
import dev.nbce.launcher.cluster.GatewayNode;
import dev.nbce.launcher.cluster.WorkerNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/** What in-JVM workers' prefix caches did, and whether a gateway has heard of it yet. */
final class PrefixCacheWatch {
    private PrefixCacheWatch() {}

    /** Prompt tokens the workers restored from their caches so far, per worker id. */
    static Map<String, Long> hitTokens(List<WorkerNode> workers) {
        return workers.stream().collect(Collectors.toMap(WorkerNode::workerId, w -> w.engine().prefixCache().hitTokens()));
    }

    /** Per worker, the growth from {@code before} to now. */
    static Map<String, Long> grownSince(Map<String, Long> before, List<WorkerNode> workers) {
        Map<String, Long> now = hitTokens(workers);
        now.replaceAll((id, hits) -> hits - before.getOrDefault(id, 0L));
        return now;
    }

    static long sum(Map<String, Long> perWorker) {
        return perWorker.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Waits until the workers hold no rows and {@code gateway} has each worker's digest of what it caches
     * now. Rows are kept in the cache when their request closes, and the digest announced within 250 ms;
     * the match must hold across two announcements, so a digest announced just before a close does not count.
     */
    static void awaitDigestsAt(GatewayNode gateway, List<WorkerNode> workers) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        int matches = 0;
        while (matches < 2) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the gateway never heard the workers' current prefix digests");
            }
            matches = idle(workers) && announced(gateway, workers) ? matches + 1 : 0;
            Thread.sleep(matches == 1 ? 300 : 20);
        }
    }

    private static boolean idle(List<WorkerNode> workers) {
        return workers.stream().allMatch(w -> w.engine().activeRows() == 0);
    }

    private static boolean announced(GatewayNode gateway, List<WorkerNode> workers) {
        Map<String, WorkerStatus> known;
        try {
            known = gateway.backend().registry().liveWorkers().stream()
                    .collect(Collectors.toMap(WorkerStatus::workerId, s -> s));
        } catch (RuntimeException raced) { // the registry lives on the gateway's event loop; this read may race it
            return false;
        }
        return workers.stream().allMatch(w -> known.containsKey(w.workerId())
                && Objects.equals(known.get(w.workerId()).prefixes(), w.engine().prefixDigest()));
    }

    /** The sum of one meter's samples in a Prometheus scrape of {@code url}, which must have it. */
    static double scrape(String url, String name) throws Exception {
        return PrometheusScrape.required(PrometheusScrape.fetch(url), name);
    }
}
