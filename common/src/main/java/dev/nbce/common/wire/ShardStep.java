package dev.nbce.common.wire;

import dev.nbce.common.nbce.ShardReport;

/**
 * A worker's reply: its report for one request at one step.
 *
 * @param wireBytes size of the encoded message when it came over the network; 0 when delivered locally
 */
public record ShardStep(String requestId, int step, ShardReport report, int wireBytes) {
    public ShardStep(String requestId, int step, ShardReport report) {
        this(requestId, step, report, 0);
    }
}
