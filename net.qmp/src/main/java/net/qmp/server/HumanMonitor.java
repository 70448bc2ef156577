package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import net.api.NetException;
import net.control.NetControl;
import net.control.QemuOptions;
import net.control.Section;
import net.driverkit.MonitorDescriptors;
import net.control.InfoNetwork;

/**
 * HMP over QMP ({@code human-monitor-command}), QEMU 7.2's monitor for the commands Patchbay has:
 * the same command names and aliases, argument reading, help lines and texts, with CRLF line
 * ends. As in QEMU every answer is a success: a failing command prints {@code Error: MESSAGE}, a
 * line that does not fit the command prints why and {@code Try "help CMD" for more information},
 * an unknown command prints {@code unknown command: 'CMD'}.
 */
final class HumanMonitor {

    /** What a command printed, and what runs once the reply is written (only {@code quit}). */
    private record Reply(String text, Runnable afterReply) {
        static Reply text(String text) {
            return new Reply(text, null);
        }
    }

    @FunctionalInterface
    private interface Handler {
        /**
         * @param line the arguments
         * @param name the command's table name, for messages
         */
        Reply run(HmpLine line, String name) throws NetException, HmpLine.Syntax;
    }

    /** Runs a QMP extension command by name: the user netdev's bundle answers HMP's slirp commands. */
    @FunctionalInterface
    interface Extensions {
        /**
         * @return the command's return value, or null when no bundle provides the command
         * @throws NetException the command's error
         */
        JsonNode call(String name, com.fasterxml.jackson.databind.node.ObjectNode arguments) throws NetException;
    }

    @FunctionalInterface
    private interface Deletion {
        void delete(String id) throws NetException;
    }

    /** One command: {@code name} may list aliases ({@code quit|q}); {@code params} as its help shows them. */
    private record Command(String name, Supplier<String> params, String help, Handler handler) {
        boolean answers(String typed) {
            return List.of(name.split("\\|")).contains(typed);
        }

        String helpLine(String prefix) {
            return prefix + name + " " + params.get() + " -- " + help + "\n";
        }
    }

    private static final String INFO = "info";
    /** QEMU's defaults of the migration parameters {@code announce-initial}, {@code -max}, {@code -rounds}, {@code -step}. */
    private static final long ANNOUNCE_INITIAL = 50;
    private static final long ANNOUNCE_MAX = 550;
    private static final long ANNOUNCE_ROUNDS = 5;
    private static final long ANNOUNCE_STEP = 100;
    private static final Reply NOTHING = Reply.text("");

    private final NetControl control;
    private final JsonNode version;
    private final Qom qom;
    private final List<Command> commands;
    private final List<Command> infos;
    private final Extensions extensions;

    /**
     * @param control the runtime
     * @param version QAPI {@code VersionInfo}, for {@code info version}
     * @param quit    {@code quit}
     * @param qom     {@code qom-get} and {@code qom-set}
     * @param extensions the bundles' QMP commands, for the commands of the user netdev
     */
    HumanMonitor(NetControl control, JsonNode version, Quit quit, Qom qom, Extensions extensions) {
        this.control = control;
        this.extensions = extensions;
        this.version = version;
        this.qom = qom;
        this.commands = sorted(List.of(
                new Command("announce_self", () -> "[interfaces] [id]", "Trigger GARP/RARP announcements",
                        this::announceSelf),
                new Command("device_add", () -> "driver[,prop=value][,...]",
                        "add device, like -device on the command line", (l, n) -> add(Section.DEVICE, l, n)),
                new Command("device_del", () -> "device", "remove device", deleting(control::deviceDel)),
                // HMP's monitor receives no descriptors; QEMU's answers are the same.
                new Command("closefd", () -> "closefd name", "close a file descriptor previously passed via SCM rights",
                        (l, n) -> {
                            String fdname = l.string(n);
                            l.end(n);
                            throw NetException.generic("File descriptor named '%s' not found", fdname);
                        }),
                new Command("getfd", () -> "getfd name", "receive a file descriptor via SCM rights and assign it a name",
                        (l, n) -> {
                            l.string(n);
                            l.end(n);
                            throw NetException.generic("No file descriptor supplied via SCM_RIGHTS");
                        }),
                new Command("help|?", () -> "[cmd]", "show the help", (l, n) -> help(l.rest())),
                new Command("hostfwd_add", () -> "[netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport",
                        "redirect TCP or UDP connections from host to guest (requires -net user)",
                        (l, n) -> hostfwd("x-hostfwd-add", l, n)),
                new Command("hostfwd_remove", () -> "[netdev_id] [tcp|udp]:[hostaddr]:hostport",
                        "remove host-to-guest TCP or UDP redirection", (l, n) -> hostfwd("x-hostfwd-remove", l, n)),
                new Command(INFO, () -> "[subcommand]", "show various information about the system state", null),
                new Command("netdev_add", this::netdevParams, "add host network device",
                        (l, n) -> add(Section.NETDEV, l, n)),
                new Command("netdev_del", () -> "id", "remove host network device", deleting(control::netdevDel)),
                new Command("object_add", () -> "[qom-type=]type,id=str[,prop=value][,...]", "create QOM object",
                        (l, n) -> add(Section.OBJECT, l, n)),
                new Command("object_del", () -> "id", "destroy QOM object", deleting(control::objectDel)),
                new Command("qom-get", () -> "path property", "print QOM property", (l, n) -> {
                    String path = l.string(n);
                    String property = l.string(n);
                    l.end(n);
                    return Reply.text(qom.get(path, property) + "\n");
                }),
                new Command("qom-set", () -> "[-j] path property value",
                        "set QOM property.\n\t\t\t-j: the value is specified in json format.", this::qomSet),
                new Command("quit|q", () -> "", "quit the emulator", (l, n) -> {
                    l.end(n);
                    return new Reply("", quit.run(TextNode.valueOf("")).afterReply());
                }),
                new Command("set_link", () -> "name on|off", "change the link status of a network adapter",
                        (l, n) -> {
                            String name = l.string(n);
                            boolean up = l.onOff();
                            l.end(n);
                            control.setLink(name, up);
                            return NOTHING;
                        })));
        this.infos = sorted(List.of(
                new Command("name", () -> "", "show the current VM name", (l, n) -> {
                    l.end(n);
                    return NOTHING; // no -name
                }),
                new Command("network", () -> "", "show the network state", (l, n) -> {
                    l.end(n);
                    return Reply.text(InfoNetwork.format(control.network()));
                }),
                new Command("usernet", () -> "", "show user network stack connection states", (l, n) -> {
                    l.end(n);
                    JsonNode text = extensions.call("x-query-usernet", QmpJson.MAPPER.createObjectNode());
                    return Reply.text(text == null ? "" : text.asText());
                }),
                new Command("status", () -> "", "show the current VM status (running|paused)", (l, n) -> {
                    l.end(n);
                    return Reply.text(RunStatus.statusLine());
                }),
                new Command("version", () -> "", "show the version of QEMU", (l, n) -> {
                    l.end(n);
                    JsonNode qemu = version.path("qemu");
                    return Reply.text(qemu.path("major").asInt() + "." + qemu.path("minor").asInt() + "."
                            + qemu.path("micro").asInt() + version.path("package").asText() + "\n");
                })));
    }

    /** {@code hostfwd_add} and {@code hostfwd_remove}: {@code [netdev_id] RULE}, answered by the user netdev's bundle. */
    private Reply hostfwd(String extension, HmpLine line, String name) throws NetException, HmpLine.Syntax {
        String first = line.string(name);
        String second = line.atEnd() ? null : line.string(name);
        line.end(name);
        com.fasterxml.jackson.databind.node.ObjectNode arguments = QmpJson.MAPPER.createObjectNode();
        if (second != null) {
            arguments.put("netdev", first);
        }
        arguments.put("rule", second != null ? second : first);
        JsonNode text = extensions.call(extension, arguments);
        return Reply.text(text == null ? "user mode network stack not in use\n" : text.asText());
    }

    private static List<Command> sorted(List<Command> commands) {
        return commands.stream().sorted(Comparator.comparing(Command::name)).toList();
    }

    /**
     * @param commandLine what {@code human-monitor-command} was given
     * @return the text, with CRLF line ends, and what runs after the reply
     */
    QmpCommands.Outcome execute(String commandLine) {
        Reply reply = run(new HmpLine(commandLine));
        return new QmpCommands.Outcome(TextNode.valueOf(reply.text().replace("\n", "\r\n")), reply.afterReply());
    }

    /**
     * @param commandLine a line typed at Patchbay's console
     * @return the text, with the console's {@code \n} line ends; what follows the reply (quit) has run
     */
    String console(String commandLine) {
        Reply reply = run(new HmpLine(commandLine));
        if (reply.afterReply() != null) {
            reply.afterReply().run();
        }
        return reply.text();
    }

    private Reply run(HmpLine line) {
        String typed = line.name();
        if (typed.isEmpty()) {
            return NOTHING;
        }
        Command command = find(commands, typed);
        if (command != null && command.name().equals(INFO)) {
            if (line.atEnd()) {
                return Reply.text(infoHelp());
            }
            String item = line.name();
            command = find(infos, item);
            typed = "info " + item;
        }
        if (command == null) {
            return Reply.text("unknown command: '" + typed + "'\n");
        }
        try {
            return command.handler().run(line, command.name());
        } catch (HmpLine.Syntax e) {
            return Reply.text(e.getMessage() + "\nTry \"help " + typed + "\" for more information\n");
        } catch (NetException e) {
            return Reply.text("Error: " + e.getMessage() + "\n");
        }
    }

    private static Command find(List<Command> table, String typed) {
        return table.stream().filter(c -> c.answers(typed)).findFirst().orElse(null);
    }

    /** {@code help}, {@code help CMD}, {@code help info}, {@code help info ITEM}. */
    private Reply help(String topic) {
        HmpLine words = new HmpLine(topic);
        String name = words.name();
        if (name.isEmpty()) {
            StringBuilder out = new StringBuilder();
            commands.forEach(c -> out.append(c.helpLine("")));
            return Reply.text(out.toString());
        }
        Command command = find(commands, name);
        if (command != null && command.name().equals(INFO)) {
            String item = words.name();
            if (item.isEmpty()) {
                return Reply.text(infoHelp());
            }
            Command info = find(infos, item);
            return Reply.text(info == null ? "unknown command: 'info " + item + "'\n" : info.helpLine("info "));
        }
        return Reply.text(command == null ? "unknown command: '" + name + "'\n" : command.helpLine(""));
    }

    private String infoHelp() {
        StringBuilder out = new StringBuilder();
        infos.forEach(c -> out.append(c.helpLine("info ")));
        return out.toString();
    }

    /** QEMU lists the netdev types compiled in; Patchbay the types installed now. */
    private String netdevParams() {
        return "[" + String.join("|", control.optionTypes(Section.NETDEV).keySet()) + "],id=str[,prop=value][,...]";
    }

    /** {@code netdev_add}, {@code object_add}, {@code device_add}: one word of QEMU's option syntax. */
    /** {@code device_del}, {@code netdev_del}, {@code object_del}: one id, then what it names goes. */
    private static Handler deleting(Deletion deletion) {
        return (l, n) -> {
            String id = l.string(n);
            l.end(n);
            deletion.delete(id);
            return NOTHING;
        };
    }

    private Reply add(Section section, HmpLine line, String name) throws NetException, HmpLine.Syntax {
        String options = line.atEnd() ? "" : line.string(name);
        line.end(name);
        if (section == Section.NETDEV && options.equals("help")) {
            StringBuilder out = new StringBuilder("Available netdev backend types:\n");
            control.optionTypes(Section.NETDEV).keySet().forEach(t -> out.append(t).append('\n'));
            return Reply.text(out.toString());
        }
        Map<String, Object> arguments = QemuOptions.parse(options, section.typeKey());
        // A netdev added here is added in HMP's own monitor, which holds no named descriptors:
        // fd=NAME is looked up there and not found, as in QEMU.
        try (MonitorDescriptors.Scope scope = section == Section.NETDEV && arguments.get("id") instanceof String id
                ? QmpCommands.enter(id, fdname -> -1) : null) {
            control.add(section, arguments);
        }
        return NOTHING;
    }

    /**
     * {@code announce_self [interfaces] [id]}: QEMU's HMP takes the migration parameters' announce
     * timing, whose defaults Patchbay (with no migration) always has; the interfaces are a comma list.
     */
    private Reply announceSelf(HmpLine line, String name) throws HmpLine.Syntax {
        String interfaces = line.atEnd() ? null : line.string(name);
        String id = line.atEnd() ? null : line.string(name);
        line.end(name);
        control.announceSelf(ANNOUNCE_INITIAL, ANNOUNCE_MAX, ANNOUNCE_ROUNDS, ANNOUNCE_STEP,
                interfaces == null ? null : List.of(interfaces.split(",", -1)), id);
        return NOTHING;
    }

    /** {@code qom-set [-j] PATH PROPERTY VALUE}: the value is a string, or JSON with {@code -j}. */
    private Reply qomSet(HmpLine line, String name) throws NetException, HmpLine.Syntax {
        String path = line.string(name);
        boolean json = path.equals("-j");
        if (json) {
            path = line.string(name);
        } else if (path.startsWith("-")) {
            throw new HmpLine.Syntax(name + ": unsupported option " + path);
        }
        String property = line.string(name);
        // The value is the rest of the line as typed, quotes and blanks included (QEMU's "S").
        String text = line.rest();
        if (text.isEmpty()) {
            throw new HmpLine.Syntax(name + ": string expected");
        }
        qom.set(path, property, () -> json ? QmpJsonParser.parse(text) : TextNode.valueOf(text));
        return NOTHING;
    }

}
