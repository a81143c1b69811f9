package dev.nbce.worker;

import dev.nbce.common.testing.PackageImports;
import org.junit.jupiter.api.Test;

/** The worker's packages import each other in one direction only (docs/design.md, Modules and packages). */
class PackageCyclesTest {
    @Test
    void packagesFormNoImportCircle() {
        PackageImports.assertNoCyclesInMainSources();
    }
}
