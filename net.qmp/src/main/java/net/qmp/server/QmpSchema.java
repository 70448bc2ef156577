package net.qmp.server;

import static net.qmp.server.SchemaBuilder.ANY;
import static net.qmp.server.SchemaBuilder.BOOL;
import static net.qmp.server.SchemaBuilder.INT;
import static net.qmp.server.SchemaBuilder.STR;
import static net.qmp.server.SchemaBuilder.Member.optional;
import static net.qmp.server.SchemaBuilder.Member.required;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.DriverDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.StatisticsDTO;
import net.qmp.server.SchemaBuilder.Member;

/**
 * {@code query-qmp-schema}: QEMU 7.2's introspection of what is installed now. {@code netdev_add}
 * takes QAPI's {@code Netdev} union with a branch per netdev type a driver serves (the built-in
 * {@code hubport} included), {@code object-add} the {@code ObjectOptions} union with a branch per
 * filter type. A type QEMU has is stated as QEMU states it, from the schema {@link QapiInput}
 * checks the input against (so {@code int} for every integer kind, whatever the driver's record
 * holds); a type QEMU does not have is its driver's option record (after the common netfilter
 * properties for a filter). A third-party command's arguments are its argument record. So the
 * answer changes as driver and command bundles come and go.
 */
final class QmpSchema {

    /** QAPI's {@code RunState}. */
    static final List<String> RUN_STATES = List.of("debug", "inmigrate", "internal-error", "io-error", "paused",
            "postmigrate", "prelaunch", "finish-migrate", "restore-vm", "running", "save-vm", "shutdown", "suspended",
            "watchdog", "guest-panicked", "colo");
    /** QAPI's {@code ShutdownCause}. */
    private static final List<String> SHUTDOWN_CAUSES = List.of("none", "host-error", "host-qmp-quit",
            "host-qmp-system-reset", "host-signal", "host-ui", "guest-shutdown", "guest-reset", "guest-panic",
            "subsystem-reset", "snapshot-load");

    private final SchemaBuilder schema = new SchemaBuilder();
    private final NetControl control;

    private QmpSchema(NetControl control) {
        this.control = control;
    }

    /**
     * @param control    the runtime, for the installed types
     * @param commands   every command name, as {@code query-commands} lists them
     * @param extensions the argument record of each extension command
     * @return the SchemaInfo list
     */
    static ArrayNode describe(NetControl control, List<String> commands, Map<String, Class<?>> extensions) {
        QmpSchema s = new QmpSchema(control);
        for (String name : commands) {
            Class<?> arguments = extensions.get(name);
            if (arguments != null) {
                s.schema.command(name, s.schema.record(QmpJson.MAPPER, arguments), s.schema.builtin(ANY));
            } else {
                s.builtin(name);
            }
        }
        s.events();
        return s.schema.build();
    }

    private void builtin(String name) {
        SchemaBuilder b = schema;
        String str = b.builtin(STR);
        String none = b.object();
        switch (name) {
            case QmpCommands.CAPABILITIES -> b.command(name,
                    b.object(optional("enable", b.array(b.enumeration(List.of("oob"))))), none);
            case "query-version" -> b.command(name, none, b.object(
                    required("qemu", b.object(required("major", b.builtin(INT)), required("minor", b.builtin(INT)),
                            required("micro", b.builtin(INT)))),
                    required("package", str)));
            case "query-commands" -> b.command(name, none, b.array(b.object(required("name", str))));
            case "netdev_add" -> b.command(name, netdev(), none);
            case "netdev_del", "object-del", "device_del" -> b.command(name, b.object(required("id", str)), none);
            case "set_link" -> b.command(name, b.object(required("name", str), required("up", b.builtin(BOOL))), none);
            case "query-rx-filter" -> b.command(name, b.object(optional("name", str)), b.array(rxFilterInfo()));
            case "announce-self" -> b.command(name, b.object(required("initial", b.builtin(INT)),
                    required("max", b.builtin(INT)), required("rounds", b.builtin(INT)),
                    required("step", b.builtin(INT)), optional("interfaces", b.array(str)), optional("id", str)), none);
            case "object-add" -> b.command(name, objectOptions(), none);
            // QEMU's device_add describes only these; a model's properties are checked when it is added.
            case "device_add" -> b.command(name,
                    b.object(required("driver", str), optional("bus", str), optional("id", str)), none);
            case "quit" -> b.command(name, none, none);
            case "human-monitor-command" -> b.command(name,
                    b.object(required("command-line", str), optional("cpu-index", b.builtin(INT))), str);
            case "query-status" -> b.command(name, none, b.object(required("running", b.builtin(BOOL)),
                    required("singlestep", b.builtin(BOOL)), required("status", b.enumeration(RUN_STATES))));
            case "query-name" -> b.command(name, none, b.object(optional("name", str)));
            case "qom-get" -> b.command(name, b.object(required("path", str), required("property", str)),
                    b.builtin(ANY));
            case "qom-set" -> b.command(name, b.object(required("path", str), required("property", str),
                    required("value", b.builtin(ANY))), none);
            case "query-qmp-schema" -> b.command(name, none, b.array(b.builtin(ANY)));
            case "getfd", "closefd" -> b.command(name, b.object(required("fdname", str)), none);
            case "add-fd" -> b.command(name,
                    b.object(optional("fdset-id", b.builtin(INT)), optional("opaque", str)),
                    b.object(required("fdset-id", b.builtin(INT)), required("fd", b.builtin(INT))));
            case "remove-fd" -> b.command(name,
                    b.object(required("fdset-id", b.builtin(INT)), optional("fd", b.builtin(INT))), none);
            case "query-fdsets" -> b.command(name, none, b.array(b.object(required("fdset-id", b.builtin(INT)),
                    required("fds", b.array(b.object(required("fd", b.builtin(INT)), optional("opaque", str)))))));
            case "x-query-netdevs" -> b.command(name, none, b.array(b.record(QmpJson.DTO, NetClientDTO.class)));
            case "x-query-drivers" -> b.command(name, none, b.array(b.record(QmpJson.DTO, DriverDTO.class)));
            case "x-query-hubs" -> b.command(name, none, b.array(b.record(QmpJson.DTO, HubStatsDTO.class)));
            case "x-query-stats" -> b.command(name, none, b.record(QmpJson.DTO, StatisticsDTO.class));
            default -> b.command(name, none, b.builtin(ANY));
        }
    }

    /** QAPI's {@code RxFilterInfo}: every member required, the states an enum (net.api's record has strings). */
    private String rxFilterInfo() {
        String str = schema.builtin(STR);
        String bool = schema.builtin(BOOL);
        String state = schema.enumeration(List.of("normal", "none", "all"));
        return schema.object(required("name", str), required("promiscuous", bool), required("multicast", state),
                required("unicast", state), required("vlan", state), required("broadcast-allowed", bool),
                required("multicast-overflow", bool), required("unicast-overflow", bool), required("main-mac", str),
                required("vlan-table", schema.array(schema.builtin(INT))), required("unicast-table", schema.array(str)),
                required("multicast-table", schema.array(str)));
    }

    /**
     * QAPI's {@code Netdev}: {@code id}, {@code type}, and each installed type's options: QEMU's
     * own for the types QEMU has, the driver's option record for the others.
     */
    private String netdev() {
        Map<String, String> variants = new LinkedHashMap<>();
        control.optionTypes(Section.NETDEV).forEach((type, options) -> {
            String qemus = QapiInput.netdevSchema(schema, type);
            variants.put(type, qemus != null ? qemus : schema.record(QmpJson.MAPPER, options));
        });
        return schema.union(List.of(required("id", schema.builtin(STR)),
                required("type", schema.enumeration(variants.keySet()))), "type", variants);
    }

    /**
     * QAPI's {@code ObjectOptions}, of the filter types installed: QEMU's properties for the types
     * QEMU has; for the others the common netfilter properties and the driver's option record.
     */
    private String objectOptions() {
        Map<String, String> variants = new LinkedHashMap<>();
        control.optionTypes(Section.OBJECT).forEach((type, options) -> {
            String qemus = QapiInput.objectSchema(schema, type);
            if (qemus == null) {
                List<Member> members = new ArrayList<>(QapiInput.netfilterSchema(schema));
                members.addAll(schema.members(QmpJson.MAPPER, options));
                qemus = schema.object(members);
            }
            variants.put(type, qemus);
        });
        return schema.union(List.of(required("qom-type", schema.enumeration(variants.keySet())),
                required("id", schema.builtin(STR))), "qom-type", variants);
    }

    private void events() {
        String str = schema.builtin(STR);
        schema.event("SHUTDOWN", schema.object(required("guest", schema.builtin(BOOL)),
                required("reason", schema.enumeration(SHUTDOWN_CAUSES))));
        schema.event("DEVICE_DELETED", schema.object(optional("device", str), required("path", str)));
        schema.event("NIC_RX_FILTER_CHANGED", schema.object(optional("name", str), required("path", str)));
        schema.event("NETDEV_STREAM_CONNECTED", schema.object(required("netdev-id", str),
                required("addr", QapiInput.socketAddressSchema(schema))));
        schema.event("NETDEV_STREAM_DISCONNECTED", schema.object(required("netdev-id", str)));
    }

}
