package net.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.junit.jupiter.api.Test;

class InfoNetworkTest {

    static NetClientDTO client(String name, String type, String kind, String info, String peer, Integer hub,
            FilterDTO... filters) {
        return new NetClientDTO(name, type, kind, "active", null, info, peer, hub, true, Map.of(),
                new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of(filters));
    }

    @Test
    void seedScenarioHasQemusShape() {
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(1, List.of("h3", "h2", "h1"))), List.of(
                client("s1", "socket", "netdev", "socket: connect to 0.0.0.0:11122", "h1", null),
                client("h1", "hubport", "hubport", "", "s1", 1),
                client("h2", "hubport", "hubport", "", "e1000.0", 1),
                client("e1000.0", "e1000", "nic", "model=e1000,macaddr=52:54:00:12:34:56", "h2", null),
                client("h3", "hubport", "hubport", "", "virtio-net-pci.0", 1),
                client("virtio-net-pci.0", "virtio-net-pci", "nic",
                        "model=virtio-net-pci,macaddr=52:54:00:12:34:57", "h3", null),
                client("tap0", "tap", "netdev", "ifname=tap0,script=no,downscript=no", "n1", null),
                client("n1", "e1000", "nic", "model=e1000,macaddr=52:54:00:12:34:58", "tap0", null)));

        assertEquals("""
                hub 1
                 \\ h3: virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:57
                 \\ h2: e1000.0: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:56
                 \\ h1: s1: index=0,type=socket,socket: connect to 0.0.0.0:11122
                n1: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:58
                 \\ tap0: index=0,type=tap,ifname=tap0,script=no,downscript=no
                """, InfoNetwork.format(network));
    }

    @Test
    void unpeeredPortsStandAloneAndPendingNetdevsSayWhy() {
        FilterDTO dump = new FilterDTO("f0", "filter-dump", "s0", "all", "on", "active", null,
                "file=x.pcap,maxlen=65536", Map.of(), Map.of());
        NetClientDTO pending = new NetClientDTO("s0", "socket", "netdev", "pending", null, null, null, null, true,
                Map.of("listen", ":1"), new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of(dump));
        NetClientDTO failed = new NetClientDTO("u0", "udpwire", "netdev", "failed", "Invalid parameter 'x'", null,
                null, null, true, Map.of(), new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of());
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(0, List.of("h2", "h1"))), List.of(
                client("h1", "hubport", "hubport", "", null, 0),
                client("h2", "hubport", "hubport", "", null, 0),
                pending, failed));

        assertEquals("""
                hub 0
                 \\ h2
                 \\ h1
                s0: index=0,type=socket,(pending: no driver)
                filters:
                  - f0: type=filter-dump,netdev=s0,queue=all,status=on,file=x.pcap,maxlen=65536
                u0: index=0,type=udpwire,(failed: Invalid parameter 'x')
                """, InfoNetwork.format(network));
    }

    @Test
    void aHubportPeeredWithANetdevShowsTheNetdevAndItsFilters() {
        FilterDTO dump = new FilterDTO("f0", "filter-dump", "s1", "rx", "off", "pending", null, null, Map.of(), Map.of());
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(1, List.of("h1"))), List.of(
                client("s1", "socket", "netdev", "socket: listening", "h1", null, dump),
                client("h1", "hubport", "hubport", "", "s1", 1)));

        assertEquals("""
                hub 1
                 \\ h1: s1: index=0,type=socket,socket: listening
                filters:
                  - f0: type=filter-dump,netdev=s1,queue=rx,status=off,(pending: no driver)
                """, InfoNetwork.format(network));
    }

    /**
     * 10 000 hub ports, each peered with a netdev: the text reads the client list a fixed number
     * of times, not once per port (it read it 2 x 10 000 times per port, 10^8 reads in all, when
     * each port and peer was looked up by going through the list).
     */
    @Test
    void tenThousandPortsCostReadsInProportionToTheClients() {
        int n = 10_000;
        List<NetClientDTO> list = new ArrayList<>();
        List<String> ports = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(client("s" + i, "socket", "netdev", "socket: listening", "h" + i, null));
            list.add(client("h" + i, "hubport", "hubport", "", "s" + i, 1));
            ports.add("h" + i);
        }
        CountingList clients = new CountingList(list);
        String text = InfoNetwork.format(new NetworkDTO(List.of(new HubDTO(1, ports)), clients));

        assertTrue(text.startsWith("hub 1\n \\ h0: s0: index=0,type=socket,socket: listening\n"), text.substring(0, 80));
        assertEquals(n + 1, text.lines().count(), "every port with its peer, nothing else");
        assertTrue(clients.reads <= 3L * clients.size(), clients.reads + " reads of " + clients.size() + " clients");
    }

    /** A client list that counts how often its elements are read. */
    private static final class CountingList extends AbstractList<NetClientDTO> {
        private final List<NetClientDTO> items;
        long reads;

        CountingList(List<NetClientDTO> items) {
            this.items = items;
        }

        @Override
        public NetClientDTO get(int index) {
            reads++;
            return items.get(index);
        }

        @Override
        public int size() {
            return items.size();
        }
    }

    @Test
    void nothingForAnEmptyNetwork() {
        assertEquals("", InfoNetwork.format(new NetworkDTO(List.of(), List.of())));
    }
}
