package dev.nbce.structured;

import dev.nbce.structured.automaton.Budget;
import dev.nbce.structured.automaton.CompileException;
import dev.nbce.structured.automaton.Dfa;
import dev.nbce.structured.automaton.Encoding;
import dev.nbce.structured.grammar.DfaLexeme;
import dev.nbce.structured.grammar.Node;
import dev.nbce.structured.mask.InteriorCache;
import dev.nbce.structured.mask.MaskBuilder;
import dev.nbce.structured.regex.RegexCompiler;
import dev.nbce.structured.schema.SchemaCompiler;
import dev.nbce.structured.vocab.TokenBytes;
import dev.nbce.structured.vocab.TokenTrie;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Turns specs into nodes and nodes into constraints over one vocabulary (its trie and mask cache). */
final class Engine {
    /** Interiors kept per vocabulary; a 128k vocabulary's full interior is 16 KB. */
    private static final long INTERIOR_CACHE_BYTES = 64L << 20;

    private final TokenBytes vocab;
    private final TokenTrie trie;
    private final InteriorCache interiors = new InteriorCache(INTERIOR_CACHE_BYTES);

    Engine(TokenBytes vocab) {
        this.vocab = vocab;
        this.trie = TokenTrie.of(vocab);
    }

    TokenConstraint compile(ConstraintSpec spec, CompileLimits limits) throws ConstraintException {
        Budget budget = new Budget(limits.maxAutomatonStates(), limits.maxTime().toNanos());
        try {
            Node root = node(spec, budget);
            return new CompiledConstraint(spec, root, this);
        } catch (CompileException e) {
            throw new ConstraintException(e.path(), e.getMessage());
        } catch (StackOverflowError e) {
            throw new ConstraintException("", "the constraint nests too deeply");
        }
    }

    TokenBytes vocab() {
        return vocab;
    }

    MaskBuilder maskBuilder() {
        return new MaskBuilder(trie, interiors);
    }

    private Node node(ConstraintSpec spec, Budget budget) {
        if (spec instanceof ConstraintSpec.JsonSchema s) {
            return SchemaCompiler.compile(s.schema(), budget);
        }
        if (spec instanceof ConstraintSpec.AnyJsonObject) {
            return SchemaCompiler.anyObject(budget);
        }
        if (spec instanceof ConstraintSpec.Regex r) {
            return new Node.Terminal(DfaLexeme.start(nonEmpty(RegexCompiler.fullMatch(r.pattern(), Encoding.RAW, budget), "the regex")));
        }
        if (spec instanceof ConstraintSpec.Choice c) {
            return new Node.Terminal(DfaLexeme.start(literals(c.options())));
        }
        if (spec instanceof ConstraintSpec.Literal l) {
            return new Node.Terminal(DfaLexeme.start(literals(List.of(l.text()))));
        }
        if (spec instanceof ConstraintSpec.Sequence s) {
            List<Node> parts = new ArrayList<>();
            for (ConstraintSpec p : s.parts()) {
                parts.add(node(p, budget));
            }
            return new Node.Seq(parts);
        }
        if (spec instanceof ConstraintSpec.AnyOf a) {
            List<Node> options = new ArrayList<>();
            for (ConstraintSpec p : a.options()) {
                options.add(node(p, budget));
            }
            return new Node.AnyOf(options);
        }
        ConstraintSpec.Repeat r = (ConstraintSpec.Repeat) spec;
        DfaLexeme separator = r.separator().isEmpty() ? null : DfaLexeme.start(literals(List.of(r.separator())));
        return new Node.Repeat(node(r.item(), budget), separator, r.min(), r.max());
    }

    private static Dfa literals(List<String> texts) {
        List<byte[]> bytes = new ArrayList<>();
        for (String t : texts) {
            bytes.add(t.getBytes(StandardCharsets.UTF_8));
        }
        return Dfa.ofStrings(bytes);
    }

    private static Dfa nonEmpty(Dfa dfa, String what) {
        if (dfa.isEmpty()) {
            throw new CompileException("", what + " matches no text");
        }
        return dfa;
    }
}
