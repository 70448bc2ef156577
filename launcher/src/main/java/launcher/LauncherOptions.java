package launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.api.control.Section;

/**
 * The launcher's command line: QEMU's network options, in order, for the command-line front end
 * inside the framework, and Patchbay's own options.
 *
 * @param network  the network options in order
 * @param deploy   the directory FileInstall watches
 * @param console  whether to run the Gogo console
 * @param verbose  whether to log at DEBUG
 * @param help     {@code --help}
 * @param version  {@code --version}
 */
record LauncherOptions(List<NetworkOption> network, Path deploy, boolean console, boolean verbose, boolean help,
        boolean version) {

    /**
     * Parses and checks the syntax of every option; nothing is started.
     *
     * @param args the arguments of {@code main}
     * @return the options
     * @throws UsageException naming the first bad option, in QEMU's style
     */
    static LauncherOptions parse(List<String> args) throws UsageException {
        List<NetworkOption> network = new ArrayList<>();
        Path deploy = Path.of("deploy");
        boolean console = true;
        boolean verbose = false;
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            Section section = Section.ofOption(arg);
            if (section != null) {
                network.add(NetworkOption.of(section, value(args, ++i, arg)));
                continue;
            }
            switch (arg) {
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                case "--no-console" -> console = false;
                case "--verbose" -> verbose = true;
                case "--deploy" -> deploy = Path.of(value(args, ++i, arg));
                default -> throw new UsageException(arg + ": invalid option");
            }
        }
        return new LauncherOptions(List.copyOf(network), deploy, console, verbose, help, version);
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + ": requires an argument");
        }
        return args.get(i);
    }
}
