package dev.nbce.launcher.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is what the catalog renders: regenerate it with `bin/nbce settings --markdown`. */
class ConfigurationPageTest {
    @Test
    void theDocsPageIsTheCatalog() throws Exception {
        // Surefire runs in the module directory.
        Path page = Path.of("..", "docs", "configuration.md");
        assertEquals(ConfigurationPage.markdown(), Files.readString(page, StandardCharsets.UTF_8),
                "docs/configuration.md is stale: run bin/nbce settings --markdown > docs/configuration.md");
    }
}
