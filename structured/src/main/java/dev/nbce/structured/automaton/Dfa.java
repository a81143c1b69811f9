package dev.nbce.structured.automaton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over bytes, trimmed: every state it keeps can still reach acceptance, so a live
 * state is always a viable prefix. State 0 is the start; -1 is dead. Immutable; compared by identity.
 */
public final class Dfa {
    private final byte[] classOf;   // byte -> equivalence class (bytes every state treats alike)
    private final int classes;
    private final int[] next;       // [state * classes + class]
    private final boolean[] accepting;
    private final boolean[] canContinue;

    /** From a dense table [state * 256 + byte]; stored by byte classes, which keeps tries and patterns small. */
    private Dfa(int[] dense, boolean[] accepting) {
        int states = accepting.length;
        this.classOf = new byte[256];
        Map<String, Integer> columns = new HashMap<>();
        int[] column = new int[states];
        List<Integer> representative = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            for (int s = 0; s < states; s++) {
                column[s] = dense[s * 256 + b];
            }
            String key = Arrays.toString(column);
            Integer c = columns.get(key);
            if (c == null) {
                c = columns.size();
                columns.put(key, c);
                representative.add(b);
            }
            classOf[b] = (byte) (int) c;
        }
        this.classes = columns.size();
        this.next = new int[states * classes];
        for (int s = 0; s < states; s++) {
            for (int c = 0; c < classes; c++) {
                next[s * classes + c] = dense[s * 256 + representative.get(c)];
            }
        }
        this.accepting = accepting;
        this.canContinue = new boolean[states];
        for (int s = 0; s < states; s++) {
            for (int c = 0; c < classes && !canContinue[s]; c++) {
                canContinue[s] = next[s * classes + c] >= 0;
            }
        }
    }

    public int next(int state, int b) {
        return next[state * classes + (classOf[b] & 0xFF)];
    }

    public boolean accepting(int state) {
        return accepting[state];
    }

    public boolean canContinue(int state) {
        return canContinue[state];
    }

    public int states() {
        return accepting.length;
    }

    /** False when no input at all is accepted. */
    public boolean isEmpty() {
        return accepting.length == 0;
    }

    /** Runs {@code bytes} from {@code state}; -1 when it dies. */
    public int run(int state, byte[] bytes) {
        for (int i = 0; i < bytes.length && state >= 0; i++) {
            state = next(state, bytes[i] & 0xFF);
        }
        return state;
    }

    public boolean matches(byte[] bytes) {
        if (isEmpty()) {
            return false;
        }
        int s = run(0, bytes);
        return s >= 0 && accepting[s];
    }

    /** Subset construction of the fragment from {@code nfa}, capped by the budget's state count. */
    public static Dfa determinize(Nfa nfa, Nfa.Fragment f, Budget budget, String what) {
        Map<String, Integer> ids = new HashMap<>();
        List<int[]> sets = new ArrayList<>();
        List<int[]> rows = new ArrayList<>();
        List<Boolean> accept = new ArrayList<>();
        ArrayDeque<Integer> work = new ArrayDeque<>();
        int[] start = closure(nfa, new int[] {f.start()});
        ids.put(Arrays.toString(start), 0);
        sets.add(start);
        work.add(0);
        while (!work.isEmpty()) {
            int id = work.poll();
            int[] set = sets.get(id);
            int[] row = new int[256];
            Arrays.fill(row, -1);
            boolean acc = false;
            List<int[]> out = new ArrayList<>();
            for (int s : set) {
                acc |= s == f.end();
                int[] e = nfa.edges.get(s);
                for (int k = 0; k < nfa.edgeCount(s); k++) {
                    out.add(new int[] {e[3 * k], e[3 * k + 1], e[3 * k + 2]});
                }
            }
            for (int[] interval : partition(out)) {
                BitSet targets = new BitSet();
                for (int[] e : out) {
                    if (e[0] <= interval[0] && interval[1] <= e[1]) {
                        targets.set(e[2]);
                    }
                }
                if (targets.isEmpty()) {
                    continue;
                }
                int[] target = closure(nfa, targets.stream().toArray());
                String key = Arrays.toString(target);
                Integer to = ids.get(key);
                if (to == null) {
                    to = sets.size();
                    ids.put(key, to);
                    sets.add(target);
                    work.add(to);
                    budget.checkStates(sets.size(), what);
                }
                Arrays.fill(row, interval[0], interval[1] + 1, to);
            }
            while (rows.size() <= id) {
                rows.add(null);
                accept.add(false);
            }
            rows.set(id, row);
            accept.set(id, acc);
        }
        return trimmed(rows, accept);
    }

    /** The elementary intervals on which every edge is either wholly present or absent. */
    private static List<int[]> partition(List<int[]> edges) {
        BitSet cuts = new BitSet(257);
        for (int[] e : edges) {
            cuts.set(e[0]);
            cuts.set(e[1] + 1);
        }
        List<int[]> out = new ArrayList<>();
        int lo = cuts.nextSetBit(0);
        while (lo >= 0 && lo < 256) {
            int hi = cuts.nextSetBit(lo + 1);
            if (hi < 0) {
                break;
            }
            out.add(new int[] {lo, hi - 1});
            lo = hi;
        }
        return out;
    }

    private static int[] closure(Nfa nfa, int[] states) {
        BitSet seen = new BitSet();
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        for (int s : states) {
            if (!seen.get(s)) {
                seen.set(s);
                stack.push(s);
            }
        }
        while (!stack.isEmpty()) {
            int s = stack.pop();
            int[] eps = nfa.epsilons.get(s);
            for (int k = 0; k < nfa.epsilonCount(s); k++) {
                int t = eps[k];
                if (!seen.get(t)) {
                    seen.set(t);
                    stack.push(t);
                }
            }
        }
        // keep only states that matter: those with byte edges, and the accepting end
        return seen.stream().filter(s -> nfa.edgeCount(s) > 0 || nfa.epsilonCount(s) == 0).toArray();
    }

    /** Drops states that cannot reach acceptance and renumbers the rest (start stays 0; empty if it goes). */
    static Dfa trimmed(List<int[]> rows, List<Boolean> accept) {
        int n = rows.size();
        List<List<Integer>> reverse = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            reverse.add(new ArrayList<>());
        }
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < 256; b++) {
                int t = rows.get(s)[b];
                if (t >= 0 && (b == 0 || rows.get(s)[b - 1] != t)) {
                    reverse.get(t).add(s);
                }
            }
        }
        boolean[] live = new boolean[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        for (int s = 0; s < n; s++) {
            if (accept.get(s)) {
                live[s] = true;
                work.add(s);
            }
        }
        while (!work.isEmpty()) {
            for (int p : reverse.get(work.poll())) {
                if (!live[p]) {
                    live[p] = true;
                    work.add(p);
                }
            }
        }
        if (n == 0 || !live[0]) {
            return new Dfa(new int[0], new boolean[0]);
        }
        int[] renumber = new int[n];
        int kept = 0;
        for (int s = 0; s < n; s++) {
            renumber[s] = live[s] ? kept++ : -1;
        }
        int[] next = new int[kept * 256];
        boolean[] acc = new boolean[kept];
        for (int s = 0; s < n; s++) {
            if (!live[s]) {
                continue;
            }
            int r = renumber[s];
            acc[r] = accept.get(s);
            for (int b = 0; b < 256; b++) {
                int t = rows.get(s)[b];
                next[r * 256 + b] = t >= 0 ? renumber[t] : -1;
            }
        }
        return new Dfa(next, acc);
    }

    /** A DFA accepting exactly the given byte strings (a trie). */
    public static Dfa ofStrings(List<byte[]> strings) {
        List<int[]> rows = new ArrayList<>();
        List<Boolean> accept = new ArrayList<>();
        rows.add(blankRow());
        accept.add(false);
        for (byte[] s : strings) {
            int at = 0;
            for (byte b : s) {
                int t = rows.get(at)[b & 0xFF];
                if (t < 0) {
                    t = rows.size();
                    rows.add(blankRow());
                    accept.add(false);
                    rows.get(at)[b & 0xFF] = t;
                }
                at = t;
            }
            accept.set(at, true);
        }
        return trimmed(rows, accept);
    }

    /** Strings both accept: the product automaton, capped by the budget. */
    public static Dfa intersect(Dfa a, Dfa b, Budget budget, String what) {
        if (a.isEmpty() || b.isEmpty()) {
            return new Dfa(new int[0], new boolean[0]);
        }
        Map<Long, Integer> ids = new HashMap<>();
        List<long[]> pairs = new ArrayList<>();
        List<int[]> rows = new ArrayList<>();
        List<Boolean> accept = new ArrayList<>();
        ids.put(0L, 0);
        pairs.add(new long[] {0, 0});
        for (int id = 0; id < pairs.size(); id++) {
            int sa = (int) pairs.get(id)[0];
            int sb = (int) pairs.get(id)[1];
            int[] row = blankRow();
            for (int c = 0; c < 256; c++) {
                int ta = a.next(sa, c);
                int tb = ta < 0 ? -1 : b.next(sb, c);
                if (tb < 0) {
                    continue;
                }
                long key = ((long) ta << 32) | tb;
                Integer to = ids.get(key);
                if (to == null) {
                    to = pairs.size();
                    ids.put(key, to);
                    pairs.add(new long[] {ta, tb});
                    budget.checkStates(pairs.size(), what);
                }
                row[c] = to;
            }
            rows.add(row);
            accept.add(a.accepting(sa) && b.accepting(sb));
        }
        return trimmed(rows, accept);
    }

    private static int[] blankRow() {
        int[] row = new int[256];
        Arrays.fill(row, -1);
        return row;
    }
}
