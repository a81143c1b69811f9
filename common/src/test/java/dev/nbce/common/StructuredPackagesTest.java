package dev.nbce.common;

import dev.nbce.common.testing.PackageImports;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Module structured's packages import each other in one direction only. Checked here: structured cannot use
 * common's test kit (common depends on it), and the check reads sources, not classes.
 */
class StructuredPackagesTest {
    @Test
    void structuredPackagesFormNoImportCircle() {
        Path sources = Path.of("..", "structured", "src", "main", "java");
        org.junit.jupiter.api.Assertions.assertTrue(PackageImports.scan(sources, "dev.nbce.structured").packages().size() >= 8,
                "the module's packages were read");
        PackageImports.assertNoCycles(sources, "dev.nbce.structured");
    }
}
