package launcher;

/** The paragraph printed on stdout once Patchbay runs. */
final class Banner {

    private Banner() {
    }

    /**
     * @param summary what runs, from the runtime (netdev count, types)
     * @param options the launcher's options
     * @param created whether this start made the deploy directory
     * @param httpUrl where the HTTP front end listens, or null
     * @return the banner, ending with a newline
     */
    static String text(String summary, LauncherOptions options, boolean created, String httpUrl) {
        String deploy = options.deploy().toAbsolutePath().normalize().toString();
        StringBuilder text = new StringBuilder()
                .append(Usage.version()).append(" running: ").append(summary).append(".\n")
                .append(created ? "Created " + deploy + " and watching it" : "Watching " + deploy)
                .append(" for driver bundles (*.jar) and netdev files (net.netdev-<id>.cfg).\n");
        if (httpUrl != null) {
            text.append("Topology page at ").append(httpUrl).append(", Prometheus metrics at ").append(httpUrl)
                    .append("metrics.\n");
        }
        if (options.console()) {
            text.append("Add a netdev with: net:add socket id=s0 listen=127.0.0.1:11122 (or -netdev on the\n")
                    .append("command line, or a file in the deploy directory). net:netdevs shows the network,\n")
                    .append("help lists every command; quit (or Ctrl-D) stops Patchbay.\n");
        } else {
            text.append("No console: add netdevs with -netdev on the command line or files in the deploy\n")
                    .append("directory. SIGTERM or Ctrl-C stops Patchbay.\n");
        }
        return text.toString();
    }
}
