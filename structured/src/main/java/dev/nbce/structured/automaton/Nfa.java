package dev.nbce.structured.automaton;

import java.util.ArrayList;
import java.util.List;

/** A Thompson NFA over bytes under construction: edges carry byte ranges, plus epsilon moves. */
public final class Nfa {
    /** A piece with one entry and one exit state. */
    public record Fragment(int start, int end) {}

    final List<int[]> edges = new ArrayList<>(); // {lo, hi, to} flattened per state
    final List<int[]> epsilons = new ArrayList<>();
    private final List<int[]> edgeCounts = new ArrayList<>();
    private final Budget budget;
    private final String what;

    public Nfa(Budget budget, String what) {
        this.budget = budget;
        this.what = what;
    }

    public int newState() {
        edges.add(new int[0]);
        epsilons.add(new int[0]);
        edgeCounts.add(new int[] {0, 0});
        if ((edges.size() & 1023) == 0) {
            budget.checkStates(edges.size() / 8, what);
        }
        return edges.size() - 1;
    }

    public int size() {
        return edges.size();
    }

    public void edge(int from, int lo, int hi, int to) {
        int[] e = edges.get(from);
        int n = edgeCounts.get(from)[0];
        if (n * 3 + 3 > e.length) {
            e = java.util.Arrays.copyOf(e, Math.max(6, e.length * 2));
            edges.set(from, e);
        }
        e[n * 3] = lo;
        e[n * 3 + 1] = hi;
        e[n * 3 + 2] = to;
        edgeCounts.get(from)[0] = n + 1;
    }

    public void epsilon(int from, int to) {
        int[] e = epsilons.get(from);
        int n = edgeCounts.get(from)[1];
        if (n + 1 > e.length) {
            e = java.util.Arrays.copyOf(e, Math.max(2, e.length * 2));
            epsilons.set(from, e);
        }
        e[n] = to;
        edgeCounts.get(from)[1] = n + 1;
    }

    int edgeCount(int state) {
        return edgeCounts.get(state)[0];
    }

    int epsilonCount(int state) {
        return edgeCounts.get(state)[1];
    }

    /** Any code point of {@code chars}, spelled as {@code encoding} spells it. */
    public Fragment chars(CharClass chars, Encoding encoding) {
        int start = newState();
        int end = newState();
        for (int[] seq : encoding.sequences(chars)) {
            int at = start;
            for (int i = 0; i < seq.length; i += 2) {
                int to = i + 2 == seq.length ? end : newState();
                edge(at, seq[i], seq[i + 1], to);
                at = to;
            }
        }
        return new Fragment(start, end);
    }

    public Fragment empty() {
        int s = newState();
        return new Fragment(s, s);
    }

    public Fragment concat(Fragment a, Fragment b) {
        epsilon(a.end(), b.start());
        return new Fragment(a.start(), b.end());
    }

    public Fragment alternation(List<Fragment> options) {
        int start = newState();
        int end = newState();
        for (Fragment f : options) {
            epsilon(start, f.start());
            epsilon(f.end(), end);
        }
        return new Fragment(start, end);
    }

    public Fragment optional(Fragment f) {
        int start = newState();
        int end = newState();
        epsilon(start, f.start());
        epsilon(f.end(), end);
        epsilon(start, end);
        return new Fragment(start, end);
    }

    public Fragment star(Fragment f) {
        int start = newState();
        int end = newState();
        epsilon(start, f.start());
        epsilon(f.end(), f.start());
        epsilon(f.end(), end);
        epsilon(start, end);
        return new Fragment(start, end);
    }
}
