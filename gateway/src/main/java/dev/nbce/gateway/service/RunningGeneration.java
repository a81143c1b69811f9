package dev.nbce.gateway.service;

import dev.nbce.common.request.GenerationResult;
import io.vertx.core.Future;

/** A generation that was admitted: its id, its eventual result, and how to stop it early. */
public record RunningGeneration(String requestId, Future<GenerationResult> result, Runnable cancel) {}
