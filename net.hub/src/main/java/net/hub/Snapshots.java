package net.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.hub.data.Hub;
import net.hub.data.HubPort;
import net.hub.data.NetClientState;
import net.hub.data.NetFilterState;

/**
 * The DTOs queries return. What the data plane owns (peer, link, counters, the backend's info)
 * is read on the client's loop; nothing here waits for an operation in progress, so queries are
 * answered while drivers open and release.
 */
final class Snapshots {

    private final Topology topology;
    private final System.Logger log;

    Snapshots(Topology topology, System.Logger log) {
        this.topology = topology;
        this.log = log;
    }

    NetworkDTO network() {
        List<HubDTO> hubs = new ArrayList<>();
        for (Hub hub : topology.hubs()) {
            hubs.add(new HubDTO(hub.id(), hub.ports().stream().map(p -> topology.portName(hub, p)).toList()));
        }
        List<NetClientDTO> clients = new ArrayList<>();
        for (ClientEntry e : topology.clients()) {
            clients.add(describe(e));
        }
        return new NetworkDTO(hubs, clients);
    }

    NetClientDTO describe(ClientEntry e) {
        NetClientState s = e.state;
        Map<String, Object> options = Map.copyOf(e.options);
        String error = e.error;
        try {
            return s.loop().call(() -> {
                NetClientState peer = s.peer();
                HubPort port = s.hubPort();
                List<FilterDTO> chain = new ArrayList<>();
                for (NetFilterState f : s.filters()) {
                    chain.add(describe(f, s));
                }
                String state = s.client() != null ? "active" : error != null ? "failed" : "pending";
                return new NetClientDTO(s.name(), s.type(), s.kind().label(), state, error, s.info(),
                        peer == null ? null : peer.name(), port == null ? null : port.hub().id(), s.isLinkUp(),
                        options, s.countersSnapshot(), chain);
            });
        } catch (Exception ex) {
            log.log(System.Logger.Level.WARNING, s + ": no snapshot: " + ex.getMessage());
            return new NetClientDTO(s.name(), s.type(), s.kind().label(), "unknown", ex.getMessage(), null, null, null,
                    s.isLinkUp(), options, null, List.of());
        }
    }

    /** Call on the netdev's loop. */
    private FilterDTO describe(NetFilterState f, NetClientState netdev) {
        FilterEntry fe = topology.filter(f.id());
        String error = fe == null ? null : fe.error;
        return new FilterDTO(f.id(), f.type(), netdev.name(), f.queue().qapiName(), f.isOn() ? "on" : "off",
                f.isOpen() ? "active" : error != null ? "failed" : "pending", error, f.info(),
                fe == null ? Map.of() : Map.copyOf(fe.options), f.countersSnapshot());
    }
}
