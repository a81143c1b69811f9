package dev.nbce.launcher.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away CA and one member certificate for a private cluster (nbce serve): made in an
 * owner-only temporary folder at start, deleted at exit. The CA key never leaves that folder.
 */
public final class EphemeralCertificates {
    private static final String MEMBER = "member";

    private EphemeralCertificates() {}

    public static Path create() throws IOException {
        Path dir = Files.createTempDirectory("nbce-cluster-tls-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        ClusterCertificates.authority(dir, "nbce serve ephemeral CA", 30)
                .issue(MEMBER, List.of("DNS:localhost", "IP:127.0.0.1"), 30);
        return dir;
    }

    /** The member certificate made by {@link #create}. */
    public static ClusterTls member(Path dir) {
        return new ClusterTls(dir.resolve(MEMBER + ".crt"), dir.resolve(MEMBER + ".key"), dir.resolve(ClusterCertificates.CA_CERT));
    }

    public static void delete(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
