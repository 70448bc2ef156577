package launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.control.Section;

/**
 * The launcher's command line: QEMU's network options, in order, for the command-line front end
 * inside the framework, and Patchbay's own options.
 *
 * @param network  the network options in order
 * @param qmp      the QMP endpoints ({@code -qmp}), in QEMU's chardev syntax
 * @param http     where the HTTP front end listens ({@code -http}), or null: off
 * @param deploy   the directory FileInstall watches
 * @param console  whether to run the Gogo console
 * @param verbose  whether to log at DEBUG
 * @param help     {@code --help}
 * @param version  {@code --version}
 */
record LauncherOptions(List<NetworkOption> network, List<String> qmp, HttpEndpoint http, Path deploy, boolean console, boolean verbose,
        boolean help, boolean version) {

    /** The file name of the QMP socket opened in the working directory when no -qmp is given. */
    static final String DEFAULT_QMP_SOCKET = "patchbay-qmp.sock";

    /**
     * Parses and checks the syntax of every option; nothing is started.
     *
     * @param args the arguments of {@code main}
     * @return the options
     * @throws UsageException naming the first bad option, in QEMU's style
     */
    static LauncherOptions parse(List<String> args) throws UsageException {
        List<NetworkOption> network = new ArrayList<>();
        List<String> qmp = new ArrayList<>();
        HttpEndpoint http = null;
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
                case "-qmp", "--qmp" -> qmp.add(qmpAddress(value(args, ++i, arg)));
                case "-http", "--http" -> {
                    String value = value(args, ++i, arg);
                    http = value.equals("none") ? null : HttpEndpoint.parse(value);
                }
                default -> throw new UsageException(arg + ": invalid option");
            }
        }
        if (qmp.isEmpty()) {
            // Management is on by default, but only for this machine's users: a socket file here.
            qmp.add("unix:" + Path.of(DEFAULT_QMP_SOCKET).toAbsolutePath() + ",server=on,wait=off");
        }
        qmp.remove("none");
        return new LauncherOptions(List.copyOf(network), List.copyOf(qmp), http, deploy, console, verbose, help, version);
    }

    /** Checks the form of a -qmp value; the QMP server checks the rest when it opens it. */
    private static String qmpAddress(String value) throws UsageException {
        if (!value.equals("none") && !value.startsWith("tcp:") && !value.startsWith("unix:")) {
            throw new UsageException("-qmp " + value + ": expects tcp:HOST:PORT or unix:PATH (or none)");
        }
        return value;
    }

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size()) {
            throw new UsageException(option + ": requires an argument");
        }
        return args.get(i);
    }
}
