package net.qmp.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import net.control.NetControl;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The warnings QEMU prints once its command line is applied, in its words and order: per hub
 * (newest first) its ports without a peer (newest first), then {@code hub N with no nics} or
 * {@code hub N is not connected to host network}; then every client without a peer. Like
 * {@link CommandLine}, called from outside the framework through JDK types; the launcher prefixes
 * each line with its name and {@code warning:}.
 */
public final class StartupWarnings implements Supplier<List<String>> {

    /**
     * Peers that do not count as a host network for QEMU's hub check (QEMU counts user, tap,
     * socket, stream, dgram, vde and vhost-user; bridge is a tap). Types QEMU does not know are
     * third-party drivers, which reach outside the process: they count.
     */
    private static final Set<String> NOT_HOST = Set.of("hubport", "l2tpv3", "netmap", "vhost-vdpa", "dump");
    private static final String NIC = "nic";

    private final BundleContext context;

    /** @param context the context to find {@link NetControl} with */
    public StartupWarnings(BundleContext context) {
        this.context = context;
    }

    @Override
    public List<String> get() {
        ServiceReference<NetControl> ref = context.getServiceReference(NetControl.class);
        NetControl control = ref == null ? null : context.getService(ref);
        if (control == null) {
            return List.of();
        }
        try {
            return of(control.network());
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * @param network the topology
     * @return the warnings, without a prefix
     */
    static List<String> of(NetworkDTO network) {
        List<String> warnings = new ArrayList<>();
        for (HubDTO hub : network.hubs()) {
            boolean nic = false;
            boolean host = false;
            for (String portName : hub.ports()) {
                NetClientDTO port = find(network, portName, false);
                if (port == null || port.peer() == null) {
                    warnings.add("hub port " + portName + " has no peer");
                    continue;
                }
                NetClientDTO peer = peerOf(network, port);
                if (peer != null && NIC.equals(peer.kind())) {
                    nic = true;
                } else if (peer != null && !NOT_HOST.contains(peer.type())) {
                    host = true;
                }
            }
            if (host && !nic) {
                warnings.add("hub " + hub.id() + " with no nics");
            }
            if (nic && !host) {
                warnings.add("hub " + hub.id() + " is not connected to host network");
            }
        }
        for (NetClientDTO c : network.clients()) {
            if (c.peer() == null) {
                warnings.add((NIC.equals(c.kind()) ? "nic " : "netdev ") + c.name() + " has no peer");
            }
        }
        return warnings;
    }

    /** NICs and netdevs have separate names: the peer is the one of that name that names this back. */
    private static NetClientDTO peerOf(NetworkDTO network, NetClientDTO client) {
        for (NetClientDTO c : network.clients()) {
            if (c.name().equals(client.peer()) && client.name().equals(c.peer()) && c != client) {
                return c;
            }
        }
        return null;
    }

    private static NetClientDTO find(NetworkDTO network, String name, boolean nic) {
        for (NetClientDTO c : network.clients()) {
            if (c.name().equals(name) && NIC.equals(c.kind()) == nic) {
                return c;
            }
        }
        return null;
    }
}
