package net.qmp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.junit.jupiter.api.Test;

class DeclaredTest {

    private static NetClientDTO client(String name, String type, String kind, String state, String error,
            FilterDTO... filters) {
        return new NetClientDTO(name, type, kind, state, error, null, null, null, true, Map.of(),
                new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of(filters));
    }

    private static Declared declared(String option, String name, boolean nic) {
        return new Declared(OptionGroup.parse(option), name, nic);
    }

    private static NetworkDTO network(NetClientDTO... clients) {
        return new NetworkDTO(List.<HubDTO>of(), List.of(clients));
    }

    @Test
    void aNetdevStandsAsTheClientOfItsName() {
        Declared d = declared("-netdev socket,id=s0,listen=:1", "s0", false);
        assertInstanceOf(Declared.Pending.class, d.standing(network(client("s0", "socket", "netdev", "pending", null))));
        assertInstanceOf(Declared.Settled.class, d.standing(network(client("s0", "socket", "netdev", "active", null))));
        assertEquals(new Declared.Failed("Invalid parameter 'lisen'"),
                d.standing(network(client("s0", "socket", "netdev", "failed", "Invalid parameter 'lisen'"))));
    }

    @Test
    void aNicOfTheSameNameIsNotTheNetdev() {
        Declared d = declared("-netdev socket,id=s0", "s0", false);
        NetworkDTO network = network(client("s0", "responder", "nic", "pending", null),
                client("s0", "socket", "netdev", "active", null));
        assertInstanceOf(Declared.Settled.class, d.standing(network));
        assertInstanceOf(Declared.Pending.class, declared("-device responder,id=s0", "s0", true).standing(network));
    }

    @Test
    void anUnnamedNetIsFoundUnderTheNameTheRuntimeGaveIt() {
        Declared d = declared("-net dump", "#net042", false);
        NetworkDTO network = network(client("d0", "dump", "netdev", "pending", null),
                client("#net042", "dump", "netdev", "failed", "cannot open"));
        assertEquals(new Declared.Failed("cannot open"), d.standing(network));
        assertInstanceOf(Declared.Settled.class, declared("-net none", null, false).standing(network));
    }

    @Test
    void anObjectStandsAsItsFilter() {
        Declared d = declared("-object filter-dump,id=f0,netdev=s0,file=x.pcap", "f0", false);
        FilterDTO f = new FilterDTO("f0", "filter-dump", "s0", "all", "on", "pending", null, null, Map.of(), Map.of());
        assertInstanceOf(Declared.Pending.class, d.standing(network(client("s0", "socket", "netdev", "active", null, f))));
    }
}
