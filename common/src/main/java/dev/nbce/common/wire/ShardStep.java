package dev.nbce.common.wire;

import dev.nbce.common.nbce.PositionReport;
import dev.nbce.common.nbce.ShardReport;
import java.util.List;

/**
 * A worker's reply: its report for one request at one step. (Its size on the wire is the
 * transport's business: see {@link WireMeter}.)
 *
 * @param drafted after an {@link Advance} with drafts, the reports of the positions after {@code step}, one per
 *                draft token fed (docs/speculative-decoding.md); empty otherwise
 */
public record ShardStep(String requestId, int step, ShardReport report, List<PositionReport> drafted) {
    public ShardStep {
        drafted = drafted == null ? List.of() : List.copyOf(drafted);
    }

    public ShardStep(String requestId, int step, ShardReport report) {
        this(requestId, step, report, List.of());
    }
}
