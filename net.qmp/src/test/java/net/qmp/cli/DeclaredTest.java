package net.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import java.util.Set;
import net.api.NetException;
import net.api.dto.CountersDTO;
import net.api.dto.FilterDTO;
import net.api.dto.HubDTO;
import net.api.dto.NetClientDTO;
import net.api.dto.NetworkDTO;
import org.junit.jupiter.api.Test;

class DeclaredTest {

    private static NetClientDTO client(String name, String type, String kind, String state, String error,
            FilterDTO... filters) {
        return new NetClientDTO(name, type, kind, state, error, null, null, null, true, Map.of(),
                new CountersDTO(0, 0, 0, 0, 0, Map.of()), List.of(filters));
    }

    private static Declared declared(String option) throws NetException {
        OptionGroup group = OptionGroup.parse(option);
        return new Declared(group, group.arguments());
    }

    private static NetworkDTO network(NetClientDTO... clients) {
        return new NetworkDTO(List.<HubDTO>of(), List.of(clients));
    }

    @Test
    void aNamedNetdevStandsAsItsClient() throws NetException {
        Declared d = declared("-netdev socket,id=s0,listen=:1");
        assertInstanceOf(Declared.Pending.class,
                d.standing(network(client("s0", "socket", "netdev", "pending", null)), Set.of("s0")));
        assertInstanceOf(Declared.Settled.class,
                d.standing(network(client("s0", "socket", "netdev", "active", null)), Set.of("s0")));
        Declared.Standing failed = d.standing(
                network(client("s0", "socket", "netdev", "failed", "Invalid parameter 'lisen'")), Set.of("s0"));
        assertEquals(new Declared.Failed("Invalid parameter 'lisen'"), failed);
    }

    @Test
    void aNicOfTheSameNameIsNotTheNetdev() throws NetException {
        Declared d = declared("-netdev socket,id=s0");
        NetworkDTO network = network(client("s0", "responder", "nic", "pending", null),
                client("s0", "socket", "netdev", "active", null));
        assertInstanceOf(Declared.Settled.class, d.standing(network, Set.of("s0")));
    }

    @Test
    void anUnnamedNetWaitsForEveryUnclaimedClientOfItsType() throws NetException {
        Declared d = declared("-net dump");
        NetworkDTO network = network(client("d0", "dump", "netdev", "pending", null),
                client("dump.0", "dump", "netdev", "failed", "cannot open"));
        assertInstanceOf(Declared.Failed.class, d.standing(network, Set.of("d0")));
        assertInstanceOf(Declared.Settled.class, d.standing(network(client("d0", "dump", "netdev", "pending", null)),
                Set.of("d0")));
    }

    @Test
    void anObjectStandsAsItsFilter() throws NetException {
        Declared d = declared("-object filter-dump,id=f0,netdev=s0,file=x.pcap");
        FilterDTO f = new FilterDTO("f0", "filter-dump", "s0", "all", "on", "pending", null, null, Map.of());
        assertInstanceOf(Declared.Pending.class,
                d.standing(network(client("s0", "socket", "netdev", "active", null, f)), Set.of("s0", "f0")));
    }
}
