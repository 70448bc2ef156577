package net.control;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
        // Netdevs and NICs by name (a NIC may share its name with a netdev): every lookup below is
        // one map access, so the text costs time in proportion to the clients.
        Map<String, NetClientDTO> netdevs = new HashMap<>();
        Map<String, NetClientDTO> nics = new HashMap<>();
        for (NetClientDTO c : network.clients()) {
            (NIC.equals(c.kind()) ? nics : netdevs).putIfAbsent(c.name(), c);
        }
        StringBuilder out = new StringBuilder();
        for (HubDTO hub : network.hubs()) {
            out.append("hub ").append(hub.id()).append('\n');
            for (String portName : hub.ports()) {
                NetClientDTO port = netdevs.get(portName);
                if (port != null && !HUBPORT.equals(port.kind())) {
                    port = null;
                }
                out.append(" \\ ").append(portName);
                NetClientDTO peer = port == null ? null : peerOf(netdevs, nics, port);
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
            NetClientDTO peer = peerOf(netdevs, nics, c);
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

    /** A NIC may share its name with a netdev, so the peer is the one that points back. */
    private static NetClientDTO peerOf(Map<String, NetClientDTO> netdevs, Map<String, NetClientDTO> nics,
            NetClientDTO c) {
        if (c.peer() == null) {
            return null;
        }
        NetClientDTO netdev = netdevs.get(c.peer());
        if (pointsBack(netdev, c)) {
            return netdev;
        }
        NetClientDTO nic = nics.get(c.peer());
        return pointsBack(nic, c) ? nic : null;
    }

    private static boolean pointsBack(NetClientDTO other, NetClientDTO c) {
        return other != null && other != c && c.name().equals(other.peer());
    }
}
