package dev.nbce.structured.grammar;

import java.util.List;

/** What a value (or a part of the output) may be: the compiled form of a schema or a composite constraint. */
public sealed interface Node permits Node.Terminal, Node.AnyOf, Node.Ref, Node.Seq, Node.Repeat, ObjectNode, ArrayNode {

    /** One terminal: a string, a number, a literal, free text matching a pattern. */
    record Terminal(Lexeme start) implements Node {}

    /** Any one of the options; no option matches nothing (a {@code false} schema). */
    record AnyOf(List<Node> options) implements Node {
        public AnyOf {
            options = List.copyOf(options);
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** Each part in turn. */
    record Seq(List<Node> parts) implements Node {
        public Seq {
            if (parts.isEmpty()) {
                throw new IllegalArgumentException("a sequence needs parts");
            }
            parts = List.copyOf(parts);
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** {@code item} min..max times with an optional separator between two. */
    record Repeat(Node item, Lexeme separator, int min, int max) implements Node {

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** A reference resolved after compilation (recursive schemas). */
    final class Ref implements Node {
        private Node target;
        private final String pointer;

        public Ref(String pointer) {
            this.pointer = pointer;
        }

        public void resolve(Node node) {
            this.target = node;
        }

        public Node target() {
            if (target == null) {
                throw new IllegalStateException("unresolved reference " + pointer);
            }
            return target;
        }

        public String pointer() {
            return pointer;
        }
    }

    Node NOTHING = new AnyOf(List.of());
}
