package net.qmp.shell;

import java.util.List;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;

/**
 * Formats the topology as QEMU's {@code info network} does: each hub with its ports and their
 * peers, then the clients that are not on a hub (a NIC with its backend indented below it), each
 * client's filters after its line. Netdevs without a running backend show why in place of the
 * backend's info. Shared by the console and QMP's {@code human-monitor-command}.
 */
public final class InfoNetwork {

    private static final String HUBPORT = "hubport";
    private static final String NIC = "nic";

    private InfoNetwork() {
    }

    /**
     * @param network the topology
     * @return the text, every line ending with a newline; empty when there are no clients
     */
    public static String format(NetworkDTO network) {
        StringBuilder out = new StringBuilder();
        for (HubDTO hub : network.hubs()) {
            out.append("hub ").append(hub.id()).append('\n');
            for (String portName : hub.ports()) {
                NetClientDTO port = find(network, portName, HUBPORT);
                out.append(" \\ ").append(portName);
                NetClientDTO peer = port == null ? null : peerOf(network, port);
                if (peer != null) {
                    out.append(": ");
                    client(out, peer);
                } else {
                    out.append('\n');
                }
                if (port != null) {
                    filters(out, port.filters());
                }
            }
        }
        for (NetClientDTO c : network.clients()) {
            NetClientDTO peer = peerOf(network, c);
            boolean onHub = HUBPORT.equals(c.kind()) || peer != null && HUBPORT.equals(peer.kind());
            if (onHub) {
                continue;
            }
            // A backend peered with a NIC is printed under that NIC.
            if (peer == null || NIC.equals(c.kind())) {
                client(out, c);
            }
            if (peer != null && NIC.equals(c.kind())) {
                out.append(" \\ ");
                client(out, peer);
            }
        }
        return out.toString();
    }

    /**
     * @param c a client
     * @return its {@code info network} line without the newline:
     *         {@code NAME: index=0,type=TYPE,INFO}
     */
    public static String line(NetClientDTO c) {
        // QEMU names the driver of every NIC "nic"; the model is part of the NIC's info.
        String driver = NIC.equals(c.kind()) ? NIC : c.type();
        return c.name() + ": index=0,type=" + driver + "," + info(c.state(), c.error(), c.info());
    }

    private static void client(StringBuilder out, NetClientDTO c) {
        out.append(line(c)).append('\n');
        filters(out, c.filters());
    }

    private static void filters(StringBuilder out, List<FilterDTO> filters) {
        if (filters == null || filters.isEmpty()) {
            return;
        }
        out.append("filters:\n");
        for (FilterDTO f : filters) {
            out.append("  - ").append(f.id()).append(": type=").append(f.type())
                    .append(",netdev=").append(f.netdev())
                    .append(",queue=").append(f.queue())
                    .append(",status=").append(f.status());
            String info = info(f.state(), f.error(), f.info());
            if (!info.isEmpty()) {
                out.append(',').append(info);
            }
            out.append('\n');
        }
    }

    /** The backend's own text when it runs, else why it does not. */
    private static String info(String state, String error, String info) {
        return switch (state == null ? "active" : state) {
            case "pending" -> "(pending: no driver)";
            case "failed" -> "(failed: " + error + ")";
            default -> info == null ? "" : info;
        };
    }

    private static NetClientDTO find(NetworkDTO network, String name, String kind) {
        for (NetClientDTO c : network.clients()) {
            if (c.name().equals(name) && kind.equals(c.kind())) {
                return c;
            }
        }
        return null;
    }

    /** A NIC may share its name with a netdev, so the peer is the one that points back. */
    private static NetClientDTO peerOf(NetworkDTO network, NetClientDTO c) {
        if (c.peer() == null) {
            return null;
        }
        for (NetClientDTO other : network.clients()) {
            if (other != c && other.name().equals(c.peer()) && c.name().equals(other.peer())) {
                return other;
            }
        }
        return null;
    }
}
