package dev.nbce.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalog reads an environment map: defaults, blanks, and bad values that name their variable. */
class SettingsTest {
    private static Settings env(String... pairs) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Settings.of(map);
    }

    @Test
    void absentOrBlankTakesTheDefault() {
        assertEquals(8080, env().integer(Setting.PORT));
        assertEquals(8080, env("NBCE_PORT", "  ").integer(Setting.PORT));
        assertEquals(9000, env("NBCE_PORT", " 9000 ").integer(Setting.PORT));
        assertEquals("127.0.0.1", env().text(Setting.HOST));
        assertEquals(List.of("127.0.0.1"), env().list(Setting.CLUSTER_MEMBERS));
        assertEquals(List.of("a", "b"), env("NBCE_API_KEYS", " a, ,b ").list(Setting.API_KEYS));
        assertEquals(List.of(), env().list(Setting.API_KEYS));
        assertTrue(env().bool(Setting.PREFIX_CACHE));
        assertFalse(env("NBCE_PREFIX_CACHE", "FALSE").bool(Setting.PREFIX_CACHE));
        assertEquals(0.9, env().fraction(Setting.GPU_MEMORY_UTILIZATION));
        assertFalse(env().isSet(Setting.KV_CACHE_BYTES));
        assertFalse(env().flag(Setting.DEBUG));
        assertTrue(env("NBCE_DEBUG", "").flag(Setting.DEBUG), "a flag is on when set at all");
    }

    @Test
    void badValuesNameTheVariableAndWhatItMustBe() {
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> env("NBCE_MAX_WINDOWS", "lots").integer(Setting.MAX_WINDOWS));
        assertEquals("NBCE_MAX_WINDOWS must be a positive integer, got 'lots'", type.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> env("NBCE_PREAUTH_MAX_BYTES", "64").integer(Setting.PREAUTH_MAX_BYTES));
        assertEquals("NBCE_PREAUTH_MAX_BYTES must be a number of bytes >= 128, got '64'", range.getMessage());
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
                () -> env("NBCE_METRICS_PORT", "70000").integer(Setting.METRICS_PORT));
        assertEquals("NBCE_METRICS_PORT must be a port number 0..65535, got '70000'", port.getMessage());
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class,
                () -> env("NBCE_CLUSTER_KUBERNETES", "yes").bool(Setting.CLUSTER_KUBERNETES));
        assertEquals("NBCE_CLUSTER_KUBERNETES must be true or false, got 'yes'", bool.getMessage());
        IllegalArgumentException seconds = assertThrows(IllegalArgumentException.class,
                () -> env("NBCE_DRAIN_SECONDS", "-1").integer(Setting.DRAIN_SECONDS));
        assertEquals("NBCE_DRAIN_SECONDS must be a number of seconds >= 0, got '-1'", seconds.getMessage());
    }

    @Test
    void everyDefaultParsesAsItsType() {
        Settings none = env();
        for (Setting setting : Setting.values()) {
            Spec spec = setting.spec();
            assertTrue(setting.variable().startsWith("NBCE_") && !setting.doc().isBlank(), setting.name());
            assertTrue(spec.defaultText() != null && !spec.defaultText().isBlank(), setting + " shows a default");
            if (spec.defaultValue() == null) {
                continue;
            }
            switch (spec.type()) {
                case INTEGER, PORT -> none.longInteger(setting);
                case FRACTION -> none.fraction(setting);
                case BOOLEAN -> none.bool(setting);
                default -> none.text(setting);
            }
        }
        Set<String> names = new HashSet<>();
        for (Setting setting : Setting.values()) {
            assertTrue(names.add(setting.variable()));
        }
    }

    @Test
    void overridesMakeNewSettings() {
        Settings base = env("NBCE_CLUSTER_NAME", "given");
        assertEquals("given", base.withDefault(Setting.CLUSTER_NAME, "other").text(Setting.CLUSTER_NAME));
        assertEquals("x", base.with(Setting.CLUSTER_NAME, "x").text(Setting.CLUSTER_NAME));
        assertEquals("given", base.text(Setting.CLUSTER_NAME), "immutable");
        assertEquals("x", base.with(Map.of("NBCE_CLUSTER_NAME", "x")).environment().get("NBCE_CLUSTER_NAME"));
    }
}
