package dev.nbce.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The regex dialect as a whole-text constraint, and what it refuses. */
class RegexConstraintTest {
    private final ConstraintCompiler compiler = new ConstraintCompiler(ByteVocabulary.withPieces(), CompileLimits.DEFAULT);

    private boolean matches(String regex, String text) throws Exception {
        return SchemaAcceptanceTest.accepts(compiler, new ConstraintSpec.Regex(regex), text);
    }

    @Test
    void classesQuantifiersAndAlternationMatchTheWholeText() throws Exception {
        assertTrue(matches("[A-Z]{2}-\\d{3,4}", "AB-123"));
        assertTrue(matches("[A-Z]{2}-\\d{3,4}", "AB-1234"));
        assertFalse(matches("[A-Z]{2}-\\d{3,4}", "AB-12"));
        assertFalse(matches("[A-Z]{2}-\\d{3,4}", "AB-12345"));
        assertTrue(matches("^(yes|no|maybe)$", "maybe"));
        assertFalse(matches("(yes|no)", "yes!"));
        assertTrue(matches("a.c", "abc"));
        assertFalse(matches("a.c", "a\nc"), ". does not match a line end");
        assertTrue(matches("[^a-c]+", "xyz"));
        assertFalse(matches("[^a-c]+", "xaz"));
        assertTrue(matches("(?:ab)+?c", "ababc"), "lazy and non-capturing groups match the same language");
        assertTrue(matches("\\p{Lu}\\p{Ll}+", "Émile"));
        assertTrue(matches("\\u00e9\\x41", "éA"));
        assertTrue(matches("[\\s\\S]*", "any\ttext ✓"));
    }

    @Test
    void aMultiByteCharacterSplitAcrossTokensIsFollowed() throws Exception {
        ConstraintState state = compiler.compile(new ConstraintSpec.Regex("é+")).start();
        byte[] e = "é".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        state = state.advance(e[0] & 0xFF);
        assertFalse(state.canEnd(), "half a character is not an answer");
        assertFalse(state.allows('e'));
        state = state.advance(e[1] & 0xFF);
        assertTrue(state.canEnd());
    }

    @Test
    void aVocabularyThatCannotSpellEveryByteKeepsToWholeCharacters() throws Exception {
        java.util.List<byte[]> pieces = new java.util.ArrayList<>();
        for (int b = 0; b < 128; b++) {
            pieces.add(new byte[] {(byte) b});
        }
        pieces.add("é".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // id 128
        pieces.add(new byte[] {(byte) 0xC3});                              // id 129: half of é, no token finishes it
        ConstraintCompiler small = new ConstraintCompiler(dev.nbce.structured.vocab.TokenBytes.of(pieces), CompileLimits.DEFAULT);
        ConstraintState state = small.compile(new ConstraintSpec.Regex("é+")).start();
        long[] mask = new long[3];
        state.fillAllowed(mask);
        assertTrue((mask[2] & 1L) != 0, "é whole");
        assertFalse((mask[2] & 2L) != 0, "a lead byte no token can finish");
        assertFalse(state.allows(129));
    }

    @Test
    void whatNoAutomatonCanDoIsRefusedByName() {
        ConstraintException look = assertThrows(ConstraintException.class, () -> compiler.compile(new ConstraintSpec.Regex("a(?=b)")));
        assertTrue(look.getMessage().contains("lookaround"), look.getMessage());
        ConstraintException back = assertThrows(ConstraintException.class, () -> compiler.compile(new ConstraintSpec.Regex("(a)\\1")));
        assertTrue(back.getMessage().contains("backreferences"), back.getMessage());
        assertThrows(ConstraintException.class, () -> compiler.compile(new ConstraintSpec.Regex("a(b")));
        assertThrows(ConstraintException.class, () -> compiler.compile(new ConstraintSpec.Regex("a\\bb")));
    }

    @Test
    void anAutomatonPastTheStateCapIsRefusedNotBuilt() {
        ConstraintCompiler capped = new ConstraintCompiler(ByteVocabulary.withPieces(), new CompileLimits(2_000, Duration.ofSeconds(5), 8));
        ConstraintException e = assertThrows(ConstraintException.class, () -> capped.compile(new ConstraintSpec.Regex("(a|b)*a(a|b){20}")));
        assertTrue(e.getMessage().contains("automaton states"), e.getMessage());
    }

    @Test
    void choicesAndLiteralsAreExact() throws Exception {
        ConstraintSpec choice = new ConstraintSpec.Choice(java.util.List.of("red", "green", "reddish"));
        assertTrue(SchemaAcceptanceTest.accepts(compiler, choice, "red"));
        assertTrue(SchemaAcceptanceTest.accepts(compiler, choice, "reddish"));
        assertFalse(SchemaAcceptanceTest.accepts(compiler, choice, "redd"));
        ConstraintState after = compiler.compile(choice).start().advance('g').advance('r').advance('e').advance('e').advance('n');
        assertTrue(after.mustEnd(), "nothing but the end after a whole choice that no other extends");
        assertEquals(choice, ConstraintSpec.fromJson(choice.toJson()));
    }
}
