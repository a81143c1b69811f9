package dev.nbce.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageImportsTest {
    @TempDir
    Path sources;

    @Test
    void commonPackagesFormNoImportCircle() {
        PackageImports.assertNoCyclesInMainSources();
    }

    @Test
    void readsArrowsFromImportsOfTypesNestedTypesAndStatics() throws IOException {
        write("a/A.java", "package dev.x.a;\nimport dev.x.b.B;\nimport static dev.x.c.C.NAME;\nimport dev.x.d.D.Inner;\n"
                + "import java.util.List;\nclass A {}\n");
        PackageImports imports = PackageImports.scan(sources, "dev.x");
        assertEquals(Set.of("dev.x.b", "dev.x.c", "dev.x.d"), imports.importsOf("dev.x.a"));
        assertTrue(imports.cycles().isEmpty());
    }

    @Test
    void findsACircleThroughThreePackages() throws IOException {
        write("a/A.java", "package dev.x.a;\nimport dev.x.b.B;\nclass A {}\n");
        write("b/B.java", "package dev.x.b;\nimport dev.x.c.C;\nclass B {}\n");
        write("c/C.java", "package dev.x.c;\nimport dev.x.a.A;\nclass C {}\n");
        write("d/D.java", "package dev.x.d;\nimport dev.x.a.A;\nclass D {}\n");
        List<String> cycles = PackageImports.scan(sources, "dev.x").cycles();
        assertEquals(List.of("dev.x.a -> dev.x.b -> dev.x.c -> dev.x.a"), cycles);
    }

    @Test
    void theAssertionNamesTheCircle() throws IOException {
        write("a/A.java", "package dev.x.a;\nimport dev.x.b.B;\nclass A {}\n");
        write("b/B.java", "package dev.x.b;\nimport dev.x.a.A;\nclass B {}\n");
        AssertionError error = assertThrows(AssertionError.class, () -> PackageImports.assertNoCycles(sources, "dev.x"));
        assertTrue(error.getMessage().contains("dev.x.a -> dev.x.b -> dev.x.a"), error.getMessage());
    }

    private void write(String relative, String source) throws IOException {
        Path file = sources.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
    }
}
