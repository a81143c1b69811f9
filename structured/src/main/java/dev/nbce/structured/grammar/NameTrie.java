package dev.nbce.structured.grammar;

import dev.nbce.structured.automaton.Dfa;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An object's declared property names as one automaton over their JSON spelling, with the property indices
 * under each state, so any contiguous range of properties can be followed without an automaton of its own.
 */
final class NameTrie {
    final Dfa dfa;
    private final int[] nameAt;    // accepting state -> property index
    private final int[][] below;   // state -> sorted indices of the names through it
    private final int[] depth;     // state -> bytes read to reach it
    private final List<byte[]> spelled;

    NameTrie(List<String> names) {
        List<byte[]> spelled = new ArrayList<>();
        for (String n : names) {
            spelled.add(JsonText.stringContent(n).getBytes(StandardCharsets.UTF_8));
        }
        this.spelled = spelled;
        this.dfa = Dfa.ofStrings(spelled);
        int states = Math.max(1, dfa.states());
        this.nameAt = new int[states];
        Arrays.fill(nameAt, -1);
        List<List<Integer>> through = new ArrayList<>();
        for (int s = 0; s < states; s++) {
            through.add(new ArrayList<>());
        }
        this.depth = new int[states];
        for (int j = 0; j < spelled.size() && !dfa.isEmpty(); j++) {
            int s = 0;
            through.get(0).add(j);
            int d = 0;
            for (byte b : spelled.get(j)) {
                s = dfa.next(s, b & 0xFF);
                through.get(s).add(j);
                depth[s] = ++d;
            }
            if (nameAt[s] < 0) {
                nameAt[s] = j; // a repeated name keeps its first place
            }
        }
        this.below = new int[states][];
        for (int s = 0; s < states; s++) {
            below[s] = through.get(s).stream().mapToInt(Integer::intValue).distinct().sorted().toArray();
        }
    }

    boolean isEmpty() {
        return dfa.isEmpty();
    }

    /** Some allowed property has a name through {@code state}. */
    boolean reaches(int state, java.util.function.IntPredicate allowed) {
        for (int j : below[state]) {
            if (allowed.test(j)) {
                return true;
            }
        }
        return false;
    }

    /** The rest of every name through {@code state}, each followed by the closing quote. */
    List<byte[]> endingsFrom(int state) {
        List<byte[]> out = new ArrayList<>(below[state].length);
        for (int j : below[state]) {
            byte[] name = spelled.get(j);
            byte[] rest = Arrays.copyOfRange(name, depth[state], name.length + 1);
            rest[rest.length - 1] = '"';
            out.add(rest);
        }
        return out;
    }

    /** The property whose whole name ends at {@code state}, or -1. */
    int nameAt(int state) {
        return dfa.accepting(state) ? nameAt[state] : -1;
    }
}
