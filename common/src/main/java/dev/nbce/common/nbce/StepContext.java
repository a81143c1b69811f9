package dev.nbce.common.nbce;

import dev.nbce.common.request.Pooling;

/**
 * What a worker needs to reduce its rows at one step.
 *
 * @param previousChosenRow the row chosen at the previous step (gets the η bonus), -1 at the first step
 */
public record StepContext(double topP, double eta, Pooling pooling, int previousChosenRow) {}
