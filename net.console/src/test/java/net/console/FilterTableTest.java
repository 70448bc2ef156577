package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.FilterDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.junit.jupiter.api.Test;

class FilterTableTest {

    private static NetClientDTO netdev(String name, FilterDTO... filters) {
        return new NetClientDTO(name, "socket", "netdev", "active", null, "", null, null, true, Map.of(),
                new CountersDTO(0, 0, 0, 0, 0, Map.of(), Map.of()), List.of(filters));
    }

    @Test
    void everyFilterOfEveryNetdevHeadFirstWithWhyItFailed() {
        FilterDTO dump = new FilterDTO("f0", "filter-dump", "s0", "all", "on", "active", null,
                "file=x.pcap,maxlen=65536", Map.of(), Map.of("capture-dropped", 3L, "quiet", 0L));
        FilterDTO buffer = new FilterDTO("f1", "filter-buffer", "s0", "rx", "off", "pending", null, null, Map.of(), Map.of());
        FilterDTO failed = new FilterDTO("f2", "filter-dump", "s1", "tx", "on", "failed",
                "Parameter 'file' is missing", null, Map.of(), Map.of());
        NetworkDTO network = new NetworkDTO(List.of(), List.of(netdev("s0", dump, buffer), netdev("s1", failed),
                netdev("s2")));

        assertEquals("""
                ID  TYPE           NETDEV  QUEUE  STATUS  STATE    COUNTERS           INFO
                f0  filter-dump    s0      all    on      active   capture-dropped=3  file=x.pcap,maxlen=65536
                f1  filter-buffer  s0      rx     off     pending  -                  -
                f2  filter-dump    s1      tx     on      failed   -                  Parameter 'file' is missing
                """, FilterTable.format(network));
    }

    @Test
    void headerOnlyWithoutFilters() {
        assertEquals("ID  TYPE  NETDEV  QUEUE  STATUS  STATE  COUNTERS  INFO\n",
                FilterTable.format(new NetworkDTO(List.of(), List.of(netdev("s0")))));
    }
}
