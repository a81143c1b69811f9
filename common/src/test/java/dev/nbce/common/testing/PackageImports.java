package dev.nbce.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The arrows between a module's packages, read from its main sources' {@code package} and {@code import}
 * lines, so a test can forbid import circles (Maven already forbids them between modules, not inside one).
 * A same-package reference needs no import and adds no arrow; a fully qualified name in code is not seen,
 * which is why the project's style imports what it uses.
 */
public final class PackageImports {
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    // The package of an imported type ends before the first capitalised segment (nested types included).
    private static final Pattern IMPORT =
            Pattern.compile("^import\\s+(?:static\\s+)?((?:[a-z_][\\w]*\\.)+)[A-Z][\\w.]*\\s*;", Pattern.MULTILINE);

    private final Map<String, Set<String>> arrows;

    private PackageImports(Map<String, Set<String>> arrows) {
        this.arrows = arrows;
    }

    /** The arrows between packages under {@code prefix} in every {@code .java} file below {@code sourceRoot}. */
    public static PackageImports scan(Path sourceRoot, String prefix) {
        Map<String, Set<String>> arrows = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sourceRoot)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String source = Files.readString(file);
                Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find()) {
                    continue;
                }
                String from = pkg.group(1);
                Set<String> targets = arrows.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher imports = IMPORT.matcher(source);
                while (imports.find()) {
                    String to = imports.group(1).substring(0, imports.group(1).length() - 1);
                    if (!to.equals(from) && to.startsWith(prefix)) {
                        targets.add(to);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new PackageImports(arrows);
    }

    /** Fails naming every circle among this module's {@code dev.nbce} packages (tests run in the module's folder). */
    public static void assertNoCyclesInMainSources() {
        assertNoCycles(Path.of("src/main/java"), "dev.nbce");
    }

    /** Fails naming every circle among the packages under {@code prefix} below {@code sourceRoot}. */
    public static void assertNoCycles(Path sourceRoot, String prefix) {
        List<String> cycles = scan(sourceRoot, prefix).cycles();
        if (!cycles.isEmpty()) {
            throw new AssertionError("import circles between packages: " + cycles);
        }
    }

    /** The packages {@code from} imports directly. */
    public Set<String> importsOf(String from) {
        return arrows.getOrDefault(from, Set.of());
    }

    public Set<String> packages() {
        return arrows.keySet();
    }

    /** Every import circle, each as the path {@code a -> b -> ... -> a}; empty when the packages form a DAG. */
    public List<String> cycles() {
        List<String> cycles = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : arrows.keySet()) {
            findCycles(start, new ArrayDeque<>(), new TreeSet<>(), done, cycles);
        }
        return cycles;
    }

    // Depth-first search; a package on the current path reached again closes a circle.
    private void findCycles(String node, Deque<String> path, Set<String> onPath, Set<String> done, List<String> cycles) {
        if (onPath.contains(node)) {
            List<String> circle = new ArrayList<>();
            boolean inCircle = false;
            for (String step : (Iterable<String>) path::descendingIterator) {
                inCircle |= step.equals(node);
                if (inCircle) {
                    circle.add(step);
                }
            }
            circle.add(node);
            cycles.add(String.join(" -> ", circle));
            return;
        }
        if (done.contains(node)) {
            return;
        }
        path.push(node);
        onPath.add(node);
        for (String next : importsOf(node)) {
            findCycles(next, path, onPath, done, cycles);
        }
        onPath.remove(node);
        path.pop();
        done.add(node);
    }
}
