package dev.nbce.launcher;

import dev.nbce.launcher.config.ConfigurationPage;
import dev.nbce.launcher.config.Setting;
import dev.nbce.launcher.config.Settings;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** nbce settings: every NBCE_* variable with its value here, or (--markdown) the configuration page. */
final class SettingsCommand implements Main.Command {
    @Override
    public String summary() {
        return "list the NBCE_* settings and their values here ([--markdown]: docs/configuration.md)";
    }

    @Override
    public int run(List<String> argv, Settings settings, PrintStream out, PrintStream err) {
        CliArgs args = CliArgs.parse(argv, Set.of(), Set.of("markdown"));
        if (args.flag("markdown")) {
            out.print(ConfigurationPage.markdown());
            return 0;
        }
        for (Setting setting : Setting.values()) {
            String value = setting == Setting.API_KEYS && settings.isSet(setting) ? "(set)" : settings.raw(setting);
            out.printf("%s=%s%n", setting.variable(), value != null ? value : "(default: " + setting.spec().defaultText() + ")");
        }
        return 0;
    }
}
