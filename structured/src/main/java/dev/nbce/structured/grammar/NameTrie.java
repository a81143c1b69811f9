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

    NameTrie(List<String> names) {
        List<byte[]> spelled = new ArrayList<>();
        for (String n : names) {
            spelled.add(JsonText.stringContent(n).getBytes(StandardCharsets.UTF_8));
        }
        this.dfa = Dfa.ofStrings(spelled);
        int states = Math.max(1, dfa.states());
        this.nameAt = new int[states];
        Arrays.fill(nameAt, -1);
        List<List<Integer>> through = new ArrayList<>();
        for (int s = 0; s < states; s++) {
            through.add(new ArrayList<>());
        }
        for (int j = 0; j < spelled.size() && !dfa.isEmpty(); j++) {
            int s = 0;
            through.get(0).add(j);
            for (byte b : spelled.get(j)) {
                s = dfa.next(s, b & 0xFF);
                through.get(s).add(j);
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

    /** The property whose whole name ends at {@code state}, or -1. */
    int nameAt(int state) {
        return dfa.accepting(state) ? nameAt[state] : -1;
    }
}
