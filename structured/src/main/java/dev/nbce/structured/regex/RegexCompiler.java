package dev.nbce.structured.regex;

import dev.nbce.structured.automaton.Budget;
import dev.nbce.structured.automaton.CharClass;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.automaton.Nfa;
import java.util.ArrayList;
import java.util.List;

/** Regular expressions to byte automata, with the two matching rules constraints need. */
public final class RegexCompiler {
    private RegexCompiler() {}

    /** The whole text matches (a {@code regex} constraint); {@code ^} and {@code $} at the edges are redundant. */
    public static Dfa fullMatch(String pattern, Encoding encoding, Budget budget) {
        return build(pattern, encoding, budget, true);
    }

    /** JSON Schema's {@code pattern}: the text contains a match unless {@code ^}/{@code $} pin it to an edge. */
    public static Dfa search(String pattern, Encoding encoding, Budget budget) {
        return build(pattern, encoding, budget, false);
    }

    private static Dfa build(String pattern, Encoding encoding, Budget budget, boolean whole) {
        Re re = RegexParser.parse(pattern);
        Nfa nfa = new Nfa(budget, "the pattern");
        List<Re> options = re instanceof Re.Alt alt ? alt.options() : List.of(re);
        List<Nfa.Fragment> fragments = new ArrayList<>();
        for (Re option : options) {
            List<Re> items = new ArrayList<>(option instanceof Re.Seq seq ? seq.items() : List.of(option));
            boolean anchoredStart = whole;
            boolean anchoredEnd = whole;
            while (!items.isEmpty() && items.get(0) instanceof Re.Anchor a && a.start()) {
                items.remove(0);
                anchoredStart = true;
            }
            while (!items.isEmpty() && items.get(items.size() - 1) instanceof Re.Anchor a && !a.start()) {
                items.remove(items.size() - 1);
                anchoredEnd = true;
            }
            Nfa.Fragment body = nfa.empty();
            if (!anchoredStart) {
                body = nfa.concat(body, nfa.star(nfa.chars(CharClass.ANY, encoding)));
            }
            for (Re item : items) {
                body = nfa.concat(body, fragment(nfa, item, encoding));
            }
            if (!anchoredEnd) {
                body = nfa.concat(body, nfa.star(nfa.chars(CharClass.ANY, encoding)));
            }
            fragments.add(body);
        }
        Nfa.Fragment all = fragments.size() == 1 ? fragments.get(0) : nfa.alternation(fragments);
        return Dfa.determinize(nfa, all, budget, "the pattern /" + abbreviated(pattern) + "/");
    }

    static Nfa.Fragment fragment(Nfa nfa, Re re, Encoding encoding) {
        if (re instanceof Re.Chars c) {
            return nfa.chars(c.chars(), encoding);
        }
        if (re instanceof Re.Seq s) {
            Nfa.Fragment f = nfa.empty();
            for (Re item : s.items()) {
                f = nfa.concat(f, fragment(nfa, item, encoding));
            }
            return f;
        }
        if (re instanceof Re.Alt a) {
            List<Nfa.Fragment> options = new ArrayList<>();
            for (Re option : a.options()) {
                options.add(fragment(nfa, option, encoding));
            }
            return nfa.alternation(options);
        }
        if (re instanceof Re.Repeat r) {
            Nfa.Fragment f = nfa.empty();
            for (int i = 0; i < r.min(); i++) {
                f = nfa.concat(f, fragment(nfa, r.body(), encoding));
            }
            if (r.max() == Re.UNBOUNDED) {
                return nfa.concat(f, nfa.star(fragment(nfa, r.body(), encoding)));
            }
            for (int i = r.min(); i < r.max(); i++) {
                f = nfa.concat(f, nfa.optional(fragment(nfa, r.body(), encoding)));
            }
            return f;
        }
        throw new CompileException("", "anchors (^, $) are supported only at the start and end of the pattern");
    }

    private static String abbreviated(String p) {
        return p.length() > 60 ? p.substring(0, 57) + "..." : p;
    }
}
