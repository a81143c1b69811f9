package dev.nbce.structured.automaton;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A set of code points as sorted, disjoint, non-adjacent ranges {lo0, hi0, lo1, hi1, ...}. Immutable. */
public final class CharClass {
    public static final int MAX = 0x10FFFF;
    public static final CharClass ANY = new CharClass(new int[] {0, MAX});
    public static final CharClass NONE = new CharClass(new int[0]);

    private final int[] ranges;

    private CharClass(int[] ranges) {
        this.ranges = ranges;
    }

    public static CharClass of(int cp) {
        return new CharClass(new int[] {cp, cp});
    }

    public static CharClass range(int lo, int hi) {
        return new CharClass(new int[] {lo, hi});
    }

    /** Any list of ranges, in any order, overlapping or not. */
    public static CharClass ofRanges(int... loHi) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < loHi.length; i += 2) {
            if (loHi[i] <= loHi[i + 1]) {
                pairs.add(new int[] {loHi[i], loHi[i + 1]});
            }
        }
        pairs.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<Integer> out = new ArrayList<>();
        for (int[] p : pairs) {
            int n = out.size();
            if (n > 0 && p[0] <= out.get(n - 1) + 1) {
                out.set(n - 1, Math.max(out.get(n - 1), p[1]));
            } else {
                out.add(p[0]);
                out.add(p[1]);
            }
        }
        return new CharClass(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CharClass union(CharClass other) {
        int[] both = Arrays.copyOf(ranges, ranges.length + other.ranges.length);
        System.arraycopy(other.ranges, 0, both, ranges.length, other.ranges.length);
        return ofRanges(both);
    }

    public CharClass complement() {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            if (ranges[i] > next) {
                out.add(next);
                out.add(ranges[i] - 1);
            }
            next = ranges[i + 1] + 1;
        }
        if (next <= MAX) {
            out.add(next);
            out.add(MAX);
        }
        return new CharClass(out.stream().mapToInt(Integer::intValue).toArray());
    }

    public CharClass intersect(CharClass other) {
        return complement().union(other.complement()).complement();
    }

    public boolean contains(int cp) {
        for (int i = 0; i < ranges.length; i += 2) {
            if (cp >= ranges[i] && cp <= ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    public int rangeCount() {
        return ranges.length / 2;
    }

    public int lo(int i) {
        return ranges[2 * i];
    }

    public int hi(int i) {
        return ranges[2 * i + 1];
    }

    /** The class closed under simple case folding of ASCII and Latin letters (for the {@code i} flag). */
    public CharClass caseInsensitive() {
        List<Integer> extra = new ArrayList<>();
        for (int i = 0; i < rangeCount(); i++) {
            for (int cp = lo(i); cp <= Math.min(hi(i), 0x24F); cp++) {
                int up = Character.toUpperCase(cp);
                int low = Character.toLowerCase(cp);
                extra.add(up);
                extra.add(up);
                extra.add(low);
                extra.add(low);
            }
        }
        return union(ofRanges(extra.stream().mapToInt(Integer::intValue).toArray()));
    }
}
