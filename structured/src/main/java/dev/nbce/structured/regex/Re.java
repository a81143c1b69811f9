package dev.nbce.structured.regex;

import dev.nbce.structured.automaton.CharClass;
import java.util.List;

/** A parsed regular expression: the pieces the automaton compiler understands. */
public sealed interface Re {
    int UNBOUNDED = -1;

    record Chars(CharClass chars) implements Re {}

    record Seq(List<Re> items) implements Re {}

    record Alt(List<Re> options) implements Re {}

    /** {@code body} between {@code min} and {@code max} times ({@link #UNBOUNDED} for no limit). */
    record Repeat(Re body, int min, int max) implements Re {}

    /** {@code ^} (start) or {@code $} (end): allowed only at the edges of the pattern or of a top-level option. */
    record Anchor(boolean start) implements Re {}
}
