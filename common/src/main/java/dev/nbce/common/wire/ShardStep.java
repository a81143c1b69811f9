package dev.nbce.common.wire;

import dev.nbce.common.nbce.ShardReport;

/**
 * A worker's reply: its report for one request at one step. (Its size on the wire is the
 * transport's business: see {@link WireMeter}.)
 */
public record ShardStep(String requestId, int step, ShardReport report) {}
