package dev.nbce.structured;

/** A constraint compiled for one vocabulary: immutable and thread-safe, shared by every request that uses it. */
public interface TokenConstraint {

    /** The state before the first generated token. */
    ConstraintState start();

    /** The spec it was compiled from. */
    ConstraintSpec spec();
}
