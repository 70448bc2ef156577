package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.Section;
import net.control.qmp.QmpCommand;
import net.driverkit.MonitorDescriptors;

/**
 * The commands a negotiated session can execute: the built-ins, over {@link NetControl}, and the
 * {@link QmpCommand} services registered now. Thread-safe; commands run on the calling session's
 * thread. {@code qmp_capabilities} is listed here but belongs to the session, whose state it changes.
 */
final class QmpCommands {

    /** The negotiation command. */
    static final String CAPABILITIES = "qmp_capabilities";
    /** The most of an unknown command's name its error repeats (QEMU's names are under 40). */
    static final int MAX_NAME_ECHO = 128;

    /**
     * What a command produced.
     *
     * @param value      the {@code return} value
     * @param afterReply runs once the reply is written (only {@code quit} needs it), or null
     */
    record Outcome(JsonNode value, Runnable afterReply) {
    }

    @FunctionalInterface
    private interface Builtin {
        Outcome run(QmpArguments arguments) throws NetException;
    }

    private final NetControl control;
    private final HumanMonitor hmp;
    private final FdSets fdSets = new FdSets();
    private final FdCommands fdCommands = new FdCommands(fdSets);
    private final Map<String, Builtin> builtins = new LinkedHashMap<>();
    /** Per name, the services in registration order; the first one serves. */
    private final Map<String, List<QmpCommand<?>>> extensions = new TreeMap<>();

    /**
     * @param control the runtime
     * @param version QAPI {@code VersionInfo}, as {@code query-version} returns it
     * @param quit    stops Patchbay; runs after {@code quit}'s reply is written
     * @param events  where {@code quit}'s {@code SHUTDOWN} goes: every negotiated client
     */
    QmpCommands(NetControl control, JsonNode version, Runnable quit, NetEventListener events) {
        this.control = control;
        Quit shutdown = new Quit(events, quit);
        Qom qom = new Qom(control);
        this.hmp = new HumanMonitor(control, version, shutdown, qom, (name, arguments) -> {
            QmpCommand<?> extension = extension(name);
            return extension == null ? null : ExtensionCommand.execute(extension, arguments);
        });
        builtins.put("query-version", a -> done(a, version.deepCopy()));
        builtins.put("query-commands", a -> done(a, commandList()));
        builtins.put("netdev_add", a -> add(Section.NETDEV, QapiInput.netdev(a.all(), installed(Section.NETDEV))));
        builtins.put("netdev_del", a -> {
            String id = a.string("id");
            a.done();
            control.netdevDel(id);
            return empty();
        });
        builtins.put("set_link", a -> {
            String name = a.string("name");
            boolean up = a.bool("up");
            a.done();
            control.setLink(name, up);
            return empty();
        });
        builtins.put("query-rx-filter", a -> {
            String name = a.optionalString("name");
            a.done();
            return new Outcome(QmpJson.DTO.valueToTree(control.queryRxFilter(name)), null);
        });
        builtins.put("announce-self", this::announceSelf);
        builtins.put("object-add", this::objectAdd);
        builtins.put("object-del", a -> {
            String id = a.string("id");
            a.done();
            control.objectDel(id);
            return empty();
        });
        builtins.put("device_add", a -> add(Section.DEVICE, a.rest()));
        builtins.put("device_del", a -> {
            String id = a.string("id");
            a.done();
            control.deviceDel(id);
            return empty();
        });
        builtins.put("quit", a -> {
            a.done();
            return shutdown.run(QmpJson.MAPPER.createObjectNode());
        });
        builtins.put("human-monitor-command", a -> {
            String commandLine = a.string("command-line");
            Long cpu = a.optionalInteger("cpu-index");
            a.done();
            // Patchbay has no CPUs; qmp-shell -H sends cpu-index 0 with every line, so 0 stands for none.
            if (cpu != null && cpu != 0) {
                throw NetException.generic("Parameter 'cpu-index' expects a CPU number");
            }
            return hmp.execute(commandLine);
        });
        builtins.put("query-status", a -> done(a, RunStatus.status()));
        builtins.put("query-name", a -> done(a, RunStatus.name()));
        builtins.put("qom-get", a -> {
            String path = a.string("path");
            String property = a.string("property");
            a.done();
            return new Outcome(qom.get(path, property), null);
        });
        builtins.put("qom-set", a -> {
            String path = a.string("path");
            String property = a.string("property");
            JsonNode value = a.any("value");
            a.done();
            qom.set(path, property, () -> value);
            return empty();
        });
        builtins.put("query-qmp-schema", a -> done(a, QmpSchema.describe(control, names(), extensionArguments())));
        builtins.put("x-query-netdevs", a -> done(a, QmpJson.DTO.valueToTree(control.network().clients())));
        builtins.put("x-query-drivers", a -> done(a, QmpJson.DTO.valueToTree(control.drivers())));
        builtins.put("x-query-hubs", a -> done(a, QmpJson.DTO.valueToTree(control.statistics().hubs())));
        builtins.put("x-query-stats", a -> done(a, QmpJson.DTO.valueToTree(control.statistics())));
    }

    /** @return the human monitor, which {@code human-monitor-command} and the console share */
    HumanMonitor humanMonitor() {
        return hmp;
    }

    /** @return the descriptor sets of {@code add-fd}, shared by every session */
    FdSets fdSets() {
        return fdSets;
    }

    /**
     * Executes a command in command mode.
     *
     * @param name      the command
     * @param arguments its arguments ({@code {}} when the request had none)
     * @param monitor   the calling client's descriptors
     * @return what it produced
     * @throws NetException its error; CommandNotFound when there is no such command
     */
    Outcome execute(String name, ObjectNode arguments, MonitorFds monitor) throws NetException {
        if (FdCommands.NAMES.contains(name)) {
            return new Outcome(fdCommands.execute(name, new QmpArguments(arguments), monitor), null);
        }
        Builtin builtin = builtins.get(name);
        if (builtin != null) {
            try (MonitorDescriptors.Scope scope = enter(name, arguments, monitor)) {
                return builtin.run(new QmpArguments(arguments));
            }
        }
        QmpCommand<?> extension = extension(name);
        if (extension == null) {
            throw notFound(name);
        }
        return new Outcome(ExtensionCommand.execute(extension, arguments), null);
    }

    /**
     * {@code netdev_add} runs in its client's monitor, so the driver's {@code fd=NAME} finds the
     * descriptor that client named with {@code getfd}, as QEMU's current monitor does.
     *
     * @return the scope to leave after the command, or null for other commands
     */
    private static MonitorDescriptors.Scope enter(String name, ObjectNode arguments, MonitorFds monitor)
            throws NetException {
        JsonNode id = arguments.get("id");
        return name.equals("netdev_add") && id != null && id.isTextual() ? enter(id.textValue(), monitor) : null;
    }

    /**
     * @param netdev  the id of the netdev a command creates
     * @param monitor the monitor the command runs in
     * @return the scope to leave after the command
     */
    static MonitorDescriptors.Scope enter(String netdev, MonitorDescriptors.Monitor monitor) throws NetException {
        try {
            return MonitorDescriptors.enter(netdev, monitor);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NetException.generic("interrupted");
        }
    }

    /**
     * @param name a command name
     * @return whether a negotiated session could execute it ({@code qmp_capabilities} included)
     */
    synchronized boolean exists(String name) {
        return CAPABILITIES.equals(name) || builtins.containsKey(name) || FdCommands.NAMES.contains(name)
                || extensions.containsKey(name);
    }

    /** @return every command name: {@code qmp_capabilities}, the built-ins, then the extensions */
    synchronized List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(CAPABILITIES);
        names.addAll(builtins.keySet());
        names.addAll(FdCommands.NAMES);
        extensions.keySet().stream().filter(n -> !builtins.containsKey(n) && !FdCommands.NAMES.contains(n))
                .forEach(names::add);
        return names;
    }

    /**
     * @param name    the {@value QmpCommand#NAME} property
     * @param command a command service that arrived
     * @return false when a built-in has that name (the built-in keeps serving it)
     */
    synchronized boolean addExtension(String name, QmpCommand<?> command) {
        extensions.computeIfAbsent(name, n -> new ArrayList<>()).add(command);
        return !builtins.containsKey(name) && !FdCommands.NAMES.contains(name) && !CAPABILITIES.equals(name);
    }

    /**
     * @param name    the {@value QmpCommand#NAME} property
     * @param command a command service that left
     */
    synchronized void removeExtension(String name, QmpCommand<?> command) {
        List<QmpCommand<?>> services = extensions.get(name);
        if (services != null && services.remove(command) && services.isEmpty()) {
            extensions.remove(name);
        }
    }

    /**
     * @param name a command name
     * @return QEMU's error for a command that does not exist
     */
    static NetException notFound(String name) {
        // QEMU echoes the whole name; a longer one than any command's comes back cut.
        String echo = name.length() <= MAX_NAME_ECHO ? name : name.substring(0, MAX_NAME_ECHO) + "...";
        return new NetException(ErrorClass.CommandNotFound, "The command " + echo + " has not been found");
    }

    /** @return the argument record of each extension command that serves now */
    private synchronized Map<String, Class<?>> extensionArguments() {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        extensions.forEach((name, services) -> {
            if (!builtins.containsKey(name) && !CAPABILITIES.equals(name)) {
                out.put(name, services.getFirst().argumentsType());
            }
        });
        return out;
    }

    private synchronized QmpCommand<?> extension(String name) {
        List<QmpCommand<?>> services = extensions.get(name);
        return services == null ? null : services.getFirst();
    }

    private ArrayNode commandList() {
        ArrayNode list = QmpJson.MAPPER.createArrayNode();
        for (String name : names()) {
            list.addObject().put("name", name);
        }
        return list;
    }

    /**
     * {@code netdev_add}, {@code object-add} and {@code device_add} take their driver's members,
     * which only the runtime knows: it checks them, as on the command line, with QEMU's errors in
     * QMP's words.
     */
    private Outcome add(Section section, Map<String, Object> arguments) throws NetException {
        try {
            control.add(section, arguments);
        } catch (NetException e) {
            throw QmpWords.of(e);
        }
        return empty();
    }

    /** @return the types drivers provide now for this section (not {@code drivers()}: it counts instances) */
    private Set<String> installed(Section section) {
        return control.optionTypes(section).keySet();
    }

    /** QAPI's {@code AnnounceParameters}, its members checked in the schema's order. */
    private Outcome announceSelf(QmpArguments a) throws NetException {
        long initial = a.integer("initial");
        long max = a.integer("max");
        long rounds = a.integer("rounds");
        long step = a.integer("step");
        List<String> interfaces = a.optionalStrings("interfaces");
        String id = a.optionalString("id");
        a.done();
        control.announceSelf(initial, max, rounds, step, interfaces, id);
        return empty();
    }

    private Outcome objectAdd(QmpArguments a) throws NetException {
        return add(Section.OBJECT, QapiInput.object(a.all(), installed(Section.OBJECT)));
    }

    private static Outcome done(QmpArguments a, JsonNode value) throws NetException {
        a.done();
        return new Outcome(value, null);
    }

    private static Outcome empty() {
        return new Outcome(QmpJson.MAPPER.createObjectNode(), null);
    }
}
