package dev.nbce.launcher;

import dev.nbce.launcher.cluster.ClusterCertificates;
import dev.nbce.launcher.cluster.ClusterTls;
import dev.nbce.launcher.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * nbce certs: the cluster's CA (created in --out on first use) and a member certificate signed by it,
 * for NBCE_CLUSTER_TLS_CERT / _KEY / _CA. One certificate may serve every member: the event bus checks
 * the issuing CA, not names (see {@link ClusterTls}).
 */
final class CertsCommand implements Main.Command {
    @Override
    public String summary() {
        return "issue the cluster CA and a member certificate for event-bus mTLS (--out DIR [--name NAME] [--san DNS:x,IP:y] [--days N])";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(argv, Set.of("out", "name", "san", "days"), Set.of());
        if (!args.has("out")) {
            throw new CliArgs.UsageException("--out DIR is required");
        }
        Path dir = Path.of(args.get("out"));
        int days = args.integer("days", 365, 1, 3650);
        List<String> sans = Arrays.stream(args.get("san", "DNS:localhost,IP:127.0.0.1").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        ClusterCertificates ca = ClusterCertificates.authority(dir, "nbce cluster CA", 3650);
        ClusterTls member = ca.issue(args.get("name", "member"), sans, days);
        out.printf("%s=%s%n%s=%s%n%s=%s%n", ClusterTls.CERT_ENV, member.cert().toAbsolutePath(),
                ClusterTls.KEY_ENV, member.key().toAbsolutePath(), ClusterTls.CA_ENV, member.ca().toAbsolutePath());
        err.println("nbce certs: keep " + dir.resolve(ClusterCertificates.CA_KEY) + " off the cluster; mount only the three files above");
        return 0;
    }
}
