package dev.nbce.worker.engine;

import dev.nbce.common.wire.ShardStep;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Rows of one shard that need a forward this loop, and who waits for their report.
 *
 * @param positions the rows' positions in the shard
 * @param tokens    per row, the tokens to feed (a decode token, or the prompt past what was restored)
 * @param open      rows being opened (prefilled across loops), not a decode step
 * @param drafted   draft tokens fed after the decode token (each row's tokens end with them), whose positions
 *                  are reported too (docs/speculative-decoding.md)
 */
record Pending(RequestShard shard, List<Integer> positions, List<int[]> tokens,
               CompletableFuture<ShardStep> reply, boolean open, int drafted) {
    Pending(RequestShard shard, List<Integer> positions, List<int[]> tokens, CompletableFuture<ShardStep> reply,
            boolean open) {
        this(shard, positions, tokens, reply, open, 0);
    }

    String requestId() {
        return shard.requestId;
    }
}
