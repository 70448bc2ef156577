package net.console;

import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.control.InfoNetwork;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.DriverDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;
import net.control.QemuOptions;
import net.control.qmp.QmpListener;
import net.control.qmp.QmpService;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Gogo console's {@code net:} commands. Every command calls {@link NetControl}; errors come
 * back as HMP prints them, {@code Error: } and QEMU's one-line message, never as a stack trace.
 */
@Component(service = NetCommands.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=netdevs",
        "osgi.command.function=add",
        "osgi.command.function=del",
        "osgi.command.function=drivers",
        "osgi.command.function=link",
        "osgi.command.function=stats",
        "osgi.command.function=filters",
        "osgi.command.function=qmp"})
public class NetCommands {

    private static final String NO_NETDEVS = "no netdevs";

    private final NetControl control;

    /** Optional and dynamic: the console works without a QMP server and follows it as it comes and goes. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile QmpService qmp;

    /** @param control the runtime's control service */
    @Activate
    public NetCommands(@Reference NetControl control) {
        this.control = control;
    }

    /** @return the {@code info network} tree followed by the counters of every client */
    @Descriptor("show hubs, netdevs, NICs and filters as QEMU's 'info network' does, then counters")
    public String netdevs() {
        NetworkDTO network = control.network();
        if (network.clients().isEmpty()) {
            return NO_NETDEVS;
        }
        return (InfoNetwork.format(network) + "\n" + CounterTable.format(network.clients())).stripTrailing();
    }

    /**
     * @param words more words than {@code net:netdevs} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String netdevs(Object... words) {
        return extraneous("net:netdevs");
    }

    /** @return HMP's words for the missing type, instead of Gogo's exception */
    public String add() {
        return missing("net:add");
    }

    /**
     * @param type    the netdev type
     * @param options {@code key=value} pairs
     * @return null when added, else the error line
     */
    @Descriptor("add a netdev, like QEMU's netdev_add: net:add socket id=s0 listen=127.0.0.1:11122 or net:add socket,id=s0,listen=127.0.0.1:11122")
    public String add(
            @Descriptor("netdev type, e.g. socket or hubport, or QEMU's whole option string TYPE,id=ID,KEY=VALUE...") String type,
            @Descriptor("options as key=value, e.g. id=s0 listen=127.0.0.1:11122; a comma in a value is written ,,") String... options) {
        try {
            control.add(Section.NETDEV, arguments(type, options));
            return null;
        } catch (NetException e) {
            return error(e);
        }
    }

    /** @return HMP's words for the missing id */
    public String del() {
        return missing("net:del");
    }

    /**
     * @param id the netdev id
     * @return null when deleted, else the error line
     */
    @Descriptor("delete a netdev, like QEMU's netdev_del")
    public String del(@Descriptor("netdev id") String id) {
        try {
            control.netdevDel(id);
            return null;
        } catch (NetException e) {
            return error(e);
        }
    }

    /**
     * @param words more words than {@code net:del} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String del(Object... words) {
        return extraneous("net:del");
    }

    /** @return the registered types as a table */
    @Descriptor("list the netdev, filter and NIC types that can be used now, and who provides them")
    public String drivers() {
        Table table = new Table("KIND", "TYPE", "BUNDLE", "VERSION", "INSTANCES");
        for (DriverDTO d : control.drivers()) {
            table.row(d.kind(), d.type(), d.bundle(), d.version(), d.instances());
        }
        return table.toString().stripTrailing();
    }

    /**
     * @param words more words than {@code net:drivers} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String drivers(Object... words) {
        return extraneous("net:drivers");
    }

    /** @return HMP's words for the missing name and state */
    public String link() {
        return missing("net:link");
    }

    /**
     * @param name a netdev id or NIC name
     * @return HMP's words for the missing state
     */
    public String link(String name) {
        return missing("net:link");
    }

    /**
     * @param name  a netdev id or NIC name
     * @param state {@code on} or {@code off}, as QEMU's {@code set_link}; {@code up}, {@code down} too
     * @return null when set, else the error line
     */
    @Descriptor("set the link of a netdev or NIC on or off, like QEMU's set_link")
    public String link(
            @Descriptor("netdev id or NIC name") String name,
            @Descriptor("on or off (up or down)") String state) {
        Boolean up = linkUp(state);
        if (up == null) {
            return "Expected 'on' or 'off'\nTry \"help net:link\" for more information";
        }
        try {
            control.setLink(name, up);
            return null;
        } catch (NetException e) {
            return error(e);
        }
    }

    /**
     * @param words more words than {@code net:link} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String link(Object... words) {
        return extraneous("net:link");
    }

    /**
     * {@code net:stats [NAME] [--watch [SECONDS]] [--reset]}.
     *
     * @param session the console session: it keeps the counts of its last {@code --reset}
     * @param words   the words typed after the command
     * @return the counters as a table, or null after a watch, else the error line
     * @throws Exception when a screen of the watch cannot be drawn
     */
    @Descriptor("""
            show the counters of every netdev, hubport and NIC, or their rates live (--watch); --reset counts from now on
               frames, bytes, queued frames, drops by reason, the driver's own counters, as QMP's x-query-netdevs
               NAME               one netdev or NIC only
               --watch [SECONDS]  every SECONDS (1), drawn in place until Ctrl-C or q: per client and hub frames/s,
                                  bits/s, drops/s, queued frames and counts, and the event loops' busy time and frames
                                  per iteration; on a pipe, one table per interval
               --reset            count from now on, in this console session only: QMP, /metrics and other sessions
                                  go on counting since each netdev was created (counters never go back)""")
    public String stats(CommandSession session,
            @Descriptor("[NAME] [--watch [SECONDS]] [--reset] [--help]") String... words) throws Exception {
        StatsRequest request = StatsRequest.parse(words);
        if (request.error() != null) {
            return request.error();
        }
        if (request.help()) {
            return HelpCommand.explain(NetCommands.class, "stats", "net").stripTrailing();
        }
        try {
            if (request.reset()) {
                NetworkDTO network = control.network();
                StatsBaseline baseline = StatsBaseline.take(LocalTime.now(), network.clients(), control.statistics().hubs());
                session.put(StatsBaseline.VARIABLE, baseline);
                if (!request.watch() && request.name() == null) {
                    return "counters reset for this console session at " + baseline.header().substring("since reset at ".length())
                            + " (QMP, /metrics and other sessions still count since each netdev was created)";
                }
            }
            StatsBaseline baseline = session.get(StatsBaseline.VARIABLE) instanceof StatsBaseline b ? b : null;
            if (request.watch()) {
                return watch(session, request, baseline);
            }
            List<NetClientDTO> clients = request.name() == null ? control.network().clients()
                    : List.of(control.client(request.name()));
            if (clients.isEmpty()) {
                return NO_NETDEVS;
            }
            if (baseline == null) {
                return CounterTable.format(clients).stripTrailing();
            }
            return (baseline.header() + "\n" + CounterTable.format(clients.stream().map(baseline::since).toList()))
                    .stripTrailing();
        } catch (NetException e) {
            return error(e);
        }
    }

    /** Draws rates until Ctrl-C; a client that goes away ends it with the error line. */
    private String watch(CommandSession session, StatsRequest request, StatsBaseline baseline) throws Exception {
        String[] gone = new String[1];
        StatsScreen screen = new StatsScreen("net:stats every " + request.interval());
        Watch.run(session, request.interval().duration(), true, stops -> {
            StatisticsDTO stats = control.statistics();
            long nanos = System.nanoTime();
            List<NetClientDTO> clients;
            try {
                clients = request.name() == null ? control.network().clients() : List.of(control.client(request.name()));
            } catch (NetException e) {
                gone[0] = error(e);
                return null; // printed once the watch has ended
            }
            return screen.draw(stops, clients, stats, baseline, nanos);
        });
        return gone[0];
    }

    /** @return every filter object as a table */
    @Descriptor("list the filter objects (-object filter-*) with their netdev, queue, status and state")
    public String filters() {
        NetworkDTO network = control.network();
        boolean none = network.clients().stream().allMatch(c -> c.filters() == null || c.filters().isEmpty());
        return none ? "no filters" : FilterTable.format(network).stripTrailing();
    }

    /**
     * @param words more words than {@code net:filters} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String filters(Object... words) {
        return extraneous("net:filters");
    }

    /** @return the QMP endpoints and clients, or why there are none */
    @Descriptor("show the QMP endpoints and the clients connected to them")
    public String qmp() {
        QmpService server = qmp;
        if (server == null) {
            return "QMP server not running";
        }
        List<String> endpoints = server.listeners().stream().map(QmpListener::address).toList();
        return QmpStatus.format(endpoints, server.clients()).stripTrailing();
    }

    /**
     * @param words more words than {@code net:qmp} takes
     * @return HMP's words for them, instead of Gogo's exception for a call that fits no method
     */
    public String qmp(Object... words) {
        return extraneous("net:qmp");
    }

    /**
     * @param command the command as typed
     * @return what HMP prints for a missing argument; Gogo would print the Java exception of a
     *         call that fits no method
     */
    static String missing(String command) {
        return command + ": string expected\nTry \"help " + command + "\" for more information";
    }

    /**
     * @param command the command as typed
     * @return what HMP prints for words after the last argument a command takes
     */
    static String extraneous(String command) {
        return command + ": extraneous characters at the end of line\nTry \"help " + command + "\" for more information";
    }

    /** @return the failure as HMP prints it */
    static String error(NetException e) {
        return "Error: " + e.getMessage();
    }

    /**
     * @param state the console's word for a link state
     * @return whether it means up; null for anything but {@code on}, {@code off}, {@code up} and
     *         {@code down}, which HMP's {@code set_link} refuses before it looks for the name
     */
    static Boolean linkUp(String state) {
        return switch (state) {
            case "on", "up" -> true;
            case "off", "down" -> false;
            default -> null;
        };
    }

    /**
     * Turns the console's words into {@code netdev_add}'s arguments. The first word is QEMU's
     * option string as {@code -netdev} takes it ({@code hubport,id=h9,hubid=2}, or the type alone);
     * each further word is one {@code KEY=VALUE}, so a single comma in it is refused rather than
     * read as the start of another option or kept in a value: {@code connect=127.0.0.1:1,reconnect=5}
     * would otherwise be an address that never connects. A comma in a value is {@code ,,}, as in QEMU.
     */
    static Map<String, Object> arguments(String type, String... options) throws NetException {
        StringBuilder text = new StringBuilder(type);
        for (String option : options) {
            if (option.replace(",,", "").contains(",")) {
                String key = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
                throw NetException.generic("Parameter '%s' has a comma in its value: write a comma in a value as ',,',"
                        + " or give every option in QEMU's form: net:add TYPE,id=ID,KEY=VALUE", key);
            }
            text.append(',').append(option);
        }
        return QemuOptions.parse(text.toString(), Section.NETDEV.typeKey());
    }
}
