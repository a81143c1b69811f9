package dev.nbce.launcher;

import dev.nbce.common.testing.PackageImports;
import org.junit.jupiter.api.Test;

/** The launcher's packages import each other in one direction only (docs/design.md, Modules and packages). */
class PackageCyclesTest {
    @Test
    void packagesFormNoImportCircle() {
        PackageImports.assertNoCyclesInMainSources();
    }
}
