package dev.nbce.launcher.config;

import java.util.List;

/** docs/configuration.md, rendered from the {@link Setting} catalog ({@code bin/nbce settings --markdown}). */
public final class ConfigurationPage {
    /** Variables only the scripts and images read (the Java code never does): name, where, what. */
    private static final List<String[]> SHELL_ONLY = List.of(
            new String[] {"NBCE_HOME", "bin/nbce", "the checkout bin/nbce runs from (set by it)"},
            new String[] {"NBCE_SKIP_BUILD", "bin/nbce, bin/test, deploy/netns", "`true`: run the jars as built, never rebuild"},
            new String[] {"NBCE_MAIN_CLASS", "deploy/docker", "class the images' entrypoint runs"},
            new String[] {"NBCE_WORKER_VARIANT", "deploy/docker/Dockerfile.worker", "`cpu` or `cuda`: which worker image this is"},
            new String[] {"NBCE_GATEWAY_IMAGE, NBCE_WORKER_IMAGE", "deploy/compose.yaml", "images compose runs"},
            new String[] {"NBCE_GATEWAY_PORT", "deploy/compose.yaml", "host port compose publishes the gateway on (8080)"},
            new String[] {"NBCE_NETNS_TIMEOUT, NBCE_NETNS_INNER", "deploy/netns/cluster-netns.sh",
                    "bound of the network-namespace cluster test (240 s); set by the script itself"},
            new String[] {"NBCE_IMAGES_TEST_LIMIT_S, NBCE_IMAGES_HEALTH_TIMEOUT_S, NBCE_IMAGES_TEST_BOUNDED, "
                    + "NBCE_IMAGE_CACHE, NBCE_M2_REPO", "deploy/images-test.sh", "bounds and caches of the image test"});

    private ConfigurationPage() {}

    public static String markdown() {
        StringBuilder page = new StringBuilder();
        page.append("# Configuration\n\n")
                .append("Every process is configured by `NBCE_*` environment variables (command-line options, where a\n")
                .append("command has them, win). Absent or blank takes the default; a value of the wrong type or out of\n")
                .append("range stops the process with a message naming the variable.\n\n")
                .append("This page is generated from the catalog in\n")
                .append("`launcher/src/main/java/dev/nbce/launcher/config/Setting.java`; do not edit it by hand.\n")
                .append("Regenerate it with `bin/nbce settings --markdown > docs/configuration.md`\n")
                .append("(`ConfigurationPageTest` fails while the two differ).\n");
        for (Setting.Group group : Setting.Group.values()) {
            page.append("\n## ").append(group.title()).append("\n\n")
                    .append("| Name | Type | Default | Range | Description |\n")
                    .append("|------|------|---------|-------|-------------|\n");
            for (Setting setting : Setting.values()) {
                if (setting.group() == group) {
                    Spec spec = setting.spec();
                    row(page, "`" + setting.variable() + "`", type(spec), spec.defaultText(), spec.range(), setting.doc());
                }
            }
        }
        page.append("\n## Read by scripts only\n\n")
                .append("Not settings of the processes, so not in the catalog: the scripts and images read these.\n\n")
                .append("| Name | Read by | Description |\n")
                .append("|------|---------|-------------|\n");
        for (String[] variable : SHELL_ONLY) {
            row(page, "`" + variable[0].replace(", ", "`, `") + "`", variable[1], variable[2]);
        }
        return page.toString();
    }

    private static String type(Spec spec) {
        String type = spec.type().name().toLowerCase(java.util.Locale.ROOT);
        return spec.unit() == null ? type : type + " (" + spec.unit() + ")";
    }

    private static void row(StringBuilder page, String... cells) {
        page.append('|');
        for (String cell : cells) {
            page.append(' ').append(cell == null || cell.isEmpty() ? "—" : cell.replace("|", "\\|")).append(" |");
        }
        page.append('\n');
    }
}
