package dev.nbce.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory from {@code /proc/self/status} (Linux); -1 where unavailable. */
final class ProcessMemory {
    private ProcessMemory() {
    }

    /** VmRSS: resident now, Java heap and native (libtorch) memory together. */
    static long residentBytes() {
        return field("VmRSS:");
    }

    /** VmHWM: the peak resident size since the process started. */
    static long peakResidentBytes() {
        return field("VmHWM:");
    }

    private static long field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    // "VmHWM:   123456 kB"
                    return Long.parseLong(line.substring(name.length()).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
