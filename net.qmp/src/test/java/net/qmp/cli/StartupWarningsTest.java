package net.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.junit.jupiter.api.Test;

/**
 * The expected lines are what {@code qemu-system-x86_64} 7.2 ({@code -M pc -nodefaults -S}) printed
 * for the same options, without its {@code qemu-system-x86_64: warning: } prefix.
 */
class StartupWarningsTest {

    private static NetClientDTO client(String name, String type, String kind, String peer, Integer hub) {
        return new NetClientDTO(name, type, kind, "active", null, "", peer, hub, true, Map.of(),
                new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of());
    }

    private static NetClientDTO port(String name, String peer, int hub) {
        return client(name, "hubport", "hubport", peer, hub);
    }

    @Test
    void aNetdevWithoutPeer() {
        // -netdev socket,id=s,listen=127.0.0.1:0
        assertEquals(List.of("netdev s has no peer"),
                StartupWarnings.of(new NetworkDTO(List.of(), List.of(client("s", "socket", "netdev", null, null)))));
    }

    @Test
    void portsWithoutPeerNewestHubAndPortFirstThenEveryClientInOrder() {
        // -netdev hubport,id=h0,hubid=1 -netdev hubport,id=h1,hubid=1 -netdev hubport,id=h2,hubid=2
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(2, List.of("h2")), new HubDTO(1, List.of("h1", "h0"))),
                List.of(port("h0", null, 1), port("h1", null, 1), port("h2", null, 2)));
        assertEquals(List.of("hub port h2 has no peer", "hub port h1 has no peer", "hub port h0 has no peer",
                "netdev h0 has no peer", "netdev h1 has no peer", "netdev h2 has no peer"), StartupWarnings.of(network));
    }

    @Test
    void aHubWithAHostNetworkAndNoNic() {
        // -netdev socket,id=s,listen=... -netdev hubport,id=h0,hubid=0,netdev=s -netdev hubport,id=h1,hubid=0
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(0, List.of("h1", "h0"))), List.of(
                client("s", "socket", "netdev", "h0", null), port("h0", "s", 0), port("h1", null, 0)));
        assertEquals(List.of("hub port h1 has no peer", "hub 0 with no nics", "netdev h1 has no peer"),
                StartupWarnings.of(network));
    }

    @Test
    void aHubWithANicAndNoHostNetworkL2tpv3NotCounting() {
        // -netdev l2tpv3,id=l,... -netdev hubport,id=h0,hubid=1,netdev=l -netdev hubport,id=h1,hubid=1 -device e1000,netdev=h1
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(1, List.of("h1", "h0"))), List.of(
                client("l", "l2tpv3", "netdev", "h0", null), port("h0", "l", 1), port("h1", "e1000.0", 1),
                client("e1000.0", "e1000", "nic", "h1", null)));
        assertEquals(List.of("hub 1 is not connected to host network"), StartupWarnings.of(network));
    }

    @Test
    void aNicWithoutPeerAndAHubOfTwoPeeredPortsSayNothingElse() {
        // -device e1000; -netdev hubport,id=a,hubid=1 -netdev hubport,id=b,hubid=1,netdev=a
        assertEquals(List.of("nic e1000.0 has no peer"), StartupWarnings.of(new NetworkDTO(List.of(),
                List.of(client("e1000.0", "e1000", "nic", null, null)))));
        assertEquals(List.of(), StartupWarnings.of(new NetworkDTO(List.of(new HubDTO(1, List.of("b", "a"))),
                List.of(port("a", "b", 1), port("b", "a", 1)))));
    }

    @Test
    void aNicAndANetdevOfTheSameNameAreTold() {
        // A NIC named like a netdev: the hub's peer is the NIC that names the port back.
        NetworkDTO network = new NetworkDTO(List.of(new HubDTO(0, List.of("p1", "p0"))), List.of(
                client("x", "socket", "netdev", "p0", null), port("p0", "x", 0), port("p1", "x", 0),
                client("x", "e1000", "nic", "p1", null)));
        assertEquals(List.of(), StartupWarnings.of(network));
    }
}
