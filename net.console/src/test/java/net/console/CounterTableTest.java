package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.NetClientDTO;
import org.junit.jupiter.api.Test;

class CounterTableTest {

    @Test
    void oneAlignedRowPerClientWithDropsByReasonAndDriverCounters() {
        Map<String, Long> drops = new LinkedHashMap<>();
        drops.put("link-down", 3L);
        drops.put("queue-full", 12L);
        NetClientDTO s0 = new NetClientDTO("s0", "socket", "netdev", "active", null, "socket: listening", "h1", null,
                false, Map.of(), new CountersDTO(1500, 2_250_000, 7, 420, 2, drops, Map.of("eof", 1L)), List.of());
        NetClientDTO h1 = new NetClientDTO("h1", "hubport", "hubport", "active", null, "", "s0", 1, true, Map.of(),
                new CountersDTO(7, 420, 1500, 2_250_000, 0, Map.of(), Map.of()), List.of());

        assertEquals("""
                NAME  KIND     TYPE     STATE   LINK  RX-FRAMES  RX-BYTES  TX-FRAMES  TX-BYTES  QUEUED  DROPS                      DRIVER
                s0    netdev   socket   active  down       1500   2250000          7       420       2  link-down=3,queue-full=12  eof=1
                h1    hubport  hubport  active  up            7       420       1500   2250000       0  -                          -
                """, CounterTable.format(List.of(s0, h1)));
    }

    @Test
    void aClientWithoutCountersShowsDashes() {
        NetClientDTO pending = new NetClientDTO("u0", "udpwire", "netdev", "pending", null, null, null, null, true,
                Map.of(), null, List.of());

        assertEquals("""
                NAME  KIND    TYPE     STATE    LINK  RX-FRAMES  RX-BYTES  TX-FRAMES  TX-BYTES  QUEUED  DROPS  DRIVER
                u0    netdev  udpwire  pending  up    -          -         -          -         -       -      -
                """, CounterTable.format(List.of(pending)));
    }
}
