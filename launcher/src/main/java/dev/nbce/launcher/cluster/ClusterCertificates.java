package dev.nbce.launcher.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Issues a cluster CA and member certificates with the system's {@code openssl} (the JDK has no
 * public X.509 builder). EC P-256 keys in PKCS#8 PEM, which Vert.x's PEM options read; keys are
 * written owner-only. Used by {@code nbce certs}, by {@code nbce serve} for its ephemeral cluster,
 * and by tests.
 */
public final class ClusterCertificates {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";

    private final Path dir;

    private ClusterCertificates(Path dir) {
        this.dir = dir;
    }

    /** The CA in {@code dir}, created there (ca.key, ca.crt) unless it already exists. */
    public static ClusterCertificates authority(Path dir, String commonName, int days) throws IOException {
        Files.createDirectories(dir);
        ClusterCertificates ca = new ClusterCertificates(dir);
        if (!Files.exists(dir.resolve(CA_KEY))) {
            ca.newKey(dir.resolve(CA_KEY));
            openssl(dir, "req", "-x509", "-new", "-key", CA_KEY, "-sha256", "-days", Integer.toString(days),
                    "-subj", "/CN=" + commonName,
                    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-out", CA_CERT);
        }
        return ca;
    }

    public Path caCert() {
        return dir.resolve(CA_CERT);
    }

    /**
     * A member certificate {@code name.crt} + {@code name.key} for both TLS roles (server and client).
     *
     * @param sans subject alternative names, e.g. {@code DNS:localhost}, {@code IP:127.0.0.1}
     * @param days validity; a negative value issues one that has already expired (tests)
     */
    public ClusterTls issue(String name, List<String> sans, int days) throws IOException {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("certificate name may hold letters, digits, '.', '_' and '-' only: " + name);
        }
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        newKey(key);
        openssl(dir, "req", "-new", "-key", key.getFileName().toString(), "-subj", "/CN=" + name, "-out", csr.getFileName().toString());
        List<String> lines = new ArrayList<>(List.of("basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth,clientAuth"));
        if (!sans.isEmpty()) {
            lines.add("subjectAltName=" + String.join(",", sans));
        }
        Files.write(ext, lines, StandardCharsets.US_ASCII);
        try {
            openssl(dir, "x509", "-req", "-in", csr.getFileName().toString(), "-CA", CA_CERT, "-CAkey", CA_KEY,
                    "-CAcreateserial", "-sha256", "-days", Integer.toString(days), "-extfile", ext.getFileName().toString(),
                    "-out", cert.getFileName().toString());
        } finally {
            Files.deleteIfExists(csr);
            Files.deleteIfExists(ext);
        }
        return new ClusterTls(cert, key, caCert());
    }

    private void newKey(Path key) throws IOException {
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.getFileName().toString());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run openssl (install it, e.g. apt-get install openssl): " + e.getMessage(), e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("openssl " + args[0] + " did not finish within 30 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException("openssl " + args[0] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running openssl", e);
        }
    }
}
