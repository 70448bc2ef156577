package net.backend.dump;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.api.NetException;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Gogo console's {@code net:capture}: live capture into a file or straight into Wireshark. */
@Component(service = CaptureCommands.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=capture"})
public final class CaptureCommands {

    static final String USAGE = String.join("\n",
            "usage: net:capture NETDEV[,NETDEV...] [FILE|- [OPTIONS]]",
            "                                     record the netdevs (both directions) into FILE; '-' (the",
            "                                     default) makes a named pipe for Wireshark",
            "         OPTIONS: maxlen=BYTES (65536), format=pcap|pcapng (pcapng, one interface per netdev:",
            "                  the default for several), and for '-': mode=0640,group=GROUP (who may read",
            "                  it; mode 0600 without a group, 0640 with one)",
            "       net:capture --stop CAPTURE-ID stop a capture; its file is complete when this returns",
            "       net:capture                   list the captures and their state");

    private static final Set<String> OPTIONS = Set.of("maxlen", "format", "mode", "group");

    private final LiveCaptures captures;

    /** @param captures the live captures */
    @Activate
    public CaptureCommands(@Reference LiveCaptures captures) {
        this.captures = captures;
    }

    /**
     * @param args {@code NETDEV [FILE|-]}, {@code --stop ID}, or nothing
     * @return what happened, for people
     */
    @Descriptor("record a netdev into a pcap file or a named pipe for Wireshark: net:capture s0 -, net:capture --stop capture0")
    public String capture(@Descriptor("NETDEV[,NETDEV...] [FILE|- [maxlen=N,format=pcapng,mode=0640,group=G]] | --stop CAPTURE-ID | nothing to list") String... args) {
        try {
            if (args.length == 0) {
                return list();
            }
            if (args[0].equals("--stop") || args[0].equals("-s")) {
                if (args.length != 2) {
                    return USAGE;
                }
                captures.stop(args[1]);
                return args[1] + " stopped";
            }
            if (args.length > 3 || args[0].startsWith("-")) {
                return USAGE;
            }
            Map<String, String> options = args.length == 3 ? options(args[2]) : Map.of();
            Long maxlen = null;
            if (options.containsKey("maxlen")) {
                try {
                    maxlen = Long.parseLong(options.get("maxlen"));
                } catch (NumberFormatException e) {
                    return "Parameter 'maxlen' expects uint32_t";
                }
            }
            PipeAccess access = options.containsKey("mode") || options.containsKey("group")
                    ? PipeAccess.of(options.get("mode"), options.get("group")) : null;
            LiveCaptures.Started c = captures.start(List.of(args[0].split(",", -1)),
                    args.length >= 2 ? args[1] : LiveCaptures.PIPE, maxlen, access, options.get("format"));
            return started(c);
        } catch (NetException e) {
            return e.getMessage();
        }
    }

    /** {@code key=value,...} as QEMU's option lists, with the keys net:capture knows. */
    private static Map<String, String> options(String text) throws NetException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String option : text.split(",", -1)) {
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq);
            if (eq < 0 || !OPTIONS.contains(key)) {
                throw NetException.generic("Invalid parameter '%s'", key);
            }
            out.put(key, option.substring(eq + 1));
        }
        return out;
    }

    static String started(LiveCaptures.Started c) {
        if (!c.pipe()) {
            return c.id() + ": recording " + c.netdev() + " into " + c.file()
                    + "\nstop with: net:capture --stop " + c.id();
        }
        return String.join("\n",
                c.id() + ": recording " + c.netdev() + " into the named pipe " + c.file() + readers(c.access()),
                "frames are kept (up to 4 MiB) until a reader opens the pipe; run one of:",
                "  wireshark -k -i " + c.file(),
                "  tshark -i " + c.file(),
                "stop with: net:capture --stop " + c.id());
    }

    private static String readers(PipeAccess access) {
        return access.group() == null ? " (mode " + access.octal() + ")"
                : " (mode " + access.octal() + ", group " + access.group() + ")";
    }

    private String list() {
        List<LiveCaptures.Listed> running = captures.describe();
        if (running.isEmpty()) {
            return "no captures\n" + USAGE;
        }
        int w = Math.max("ID".length(), running.stream().mapToInt(c -> c.id().length()).max().orElse(0));
        int n = Math.max("NETDEV".length(), running.stream().mapToInt(c -> netdevs(c).length()).max().orElse(0));
        int f = Math.max("FILE".length(),
                running.stream().mapToInt(c -> file(c).length()).max().orElse(0));
        String row = "%-" + w + "s  %-" + n + "s  %-" + f + "s  %s%n";
        StringBuilder out = new StringBuilder(String.format(row, "ID", "NETDEV", "FILE", "STATE"));
        for (LiveCaptures.Listed c : running) {
            StringBuilder state = new StringBuilder(c.state());
            c.counters().forEach((name, count) -> state.append(", ").append(name).append('=').append(count));
            out.append(String.format(row, c.id(), netdevs(c), file(c), state));
        }
        return out.toString().stripTrailing();
    }

    private static String netdevs(LiveCaptures.Listed c) {
        return String.join(",", c.netdevs());
    }

    private static String file(LiveCaptures.Listed c) {
        return c.file() + (c.pipe() ? " (named pipe)" : "");
    }
}
