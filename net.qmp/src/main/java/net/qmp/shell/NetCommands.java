package net.qmp.shell;

import java.util.Map;
import net.api.NetException;
import net.api.control.NetControl;
import net.api.control.Section;
import net.api.dto.DriverDTO;
import net.api.dto.NetworkDTO;
import net.api.options.QemuOptions;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Gogo console's {@code net:} commands. Every command calls {@link NetControl}; errors come
 * back as QEMU's one-line message, never as a stack trace.
 */
@Component(service = NetCommands.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=netdevs",
        "osgi.command.function=add",
        "osgi.command.function=del",
        "osgi.command.function=drivers"})
public class NetCommands {

    private final NetControl control;

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
            return "no netdevs";
        }
        return (InfoNetwork.format(network) + "\n" + CounterTable.format(network)).stripTrailing();
    }

    /**
     * @param type    the netdev type
     * @param options {@code key=value} pairs
     * @return null when added, else the error message
     */
    @Descriptor("add a netdev, like QEMU's netdev_add: net:add socket id=s0 listen=127.0.0.1:11122")
    public String add(
            @Descriptor("netdev type, e.g. socket or hubport") String type,
            @Descriptor("options as key=value, e.g. id=s0 listen=127.0.0.1:11122") String... options) {
        try {
            control.add(Section.NETDEV, arguments(type, options));
            return null;
        } catch (NetException e) {
            return e.getMessage();
        }
    }

    /**
     * @param id the netdev id
     * @return null when deleted, else the error message
     */
    @Descriptor("delete a netdev, like QEMU's netdev_del")
    public String del(@Descriptor("netdev id") String id) {
        try {
            control.netdevDel(id);
            return null;
        } catch (NetException e) {
            return e.getMessage();
        }
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
     * Turns the console's words into {@code netdev_add}'s arguments: the words are joined into one
     * option string, and a comma inside a word is part of its value, so it is escaped as QEMU's
     * {@code ,,}.
     */
    static Map<String, Object> arguments(String type, String... options) throws NetException {
        StringBuilder text = new StringBuilder(type.replace(",", ",,"));
        for (String option : options) {
            text.append(',').append(option.replace(",", ",,"));
        }
        return QemuOptions.parse(text.toString(), Section.NETDEV.typeKey());
    }
}
