package net.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.control.dto.CountersDTO;
import net.control.dto.EventLoopDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;
import org.junit.jupiter.api.Test;

/**
 * The exposition's labels and layout for a topology written out as the runtime's DTOs: which
 * {@code hub} each client gets, {@code nic=} for NICs, escaping, one block per family. MetricsTest
 * (net.itest) scrapes the real runtime over HTTP.
 */
class PrometheusTextTest {

    private static final Map<String, Object> NO_OPTIONS = Map.of();

    /** s1 on hub 1 through h1, n1 on hub 2 through h2, s2 peered with NIC n2, s3 alone. */
    private static final NetworkDTO NETWORK = new NetworkDTO(
            List.of(new HubDTO(2, List.of("h2")), new HubDTO(1, List.of("h1"))),
            List.of(client("s1", "socket", "netdev", "h1", null, counters(7, Map.of(), Map.of("reconnect", 2L))),
                    client("h1", "hubport", "hubport", "s1", 1, counters(0, Map.of(), Map.of())),
                    client("h2", "hubport", "hubport", "n1", 2, counters(0, Map.of(), Map.of())),
                    client("n1", "sink", "nic", "h2", null, counters(3, Map.of(), Map.of())),
                    client("s2", "socket", "netdev", "n2", null, counters(0, Map.of(), Map.of())),
                    client("n2", "e1000", "nic", "s2", null, counters(0, Map.of(), Map.of())),
                    client("s3", "socket", "netdev", null, null, counters(0, Map.of("no-peer", 4L), Map.of()),
                            new FilterDTO("f1", "filter-mirror", "s3", "all", "off", "active", null, null, Map.of(),
                                    Map.of("sent", 5L)))));

    private static final StatisticsDTO STATISTICS = new StatisticsDTO(Instant.EPOCH, 1, 1, Map.of(), Map.of(),
            List.of(new HubStatsDTO(1, List.of("h1"), 7, 700, 0, 0, 0, Map.of(), null)),
            List.of(new EventLoopDTO("patchbay-loop-0", 4, 10, 1_500_000_000L, 7)));

    @Test
    void hubIsTheClientsPortsOrItsPeersAndAbsentOffAHub() {
        String text = PrometheusText.of(NETWORK, STATISTICS, -1);
        assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"s1\",type=\"socket\",hub=\"1\"} 7");
        assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"h1\",type=\"hubport\",hub=\"1\"} 0");
        assertLine(text, "patchbay_netdev_rx_frames_total{nic=\"n1\",type=\"sink\",hub=\"2\"} 3");
        assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"s2\",type=\"socket\"} 0");
        assertLine(text, "patchbay_netdev_rx_frames_total{nic=\"n2\",type=\"e1000\"} 0");
        assertLine(text, "patchbay_netdev_dropped_frames_total{netdev=\"s3\",type=\"socket\",reason=\"no-peer\"} 4");
        assertLine(text, "patchbay_netdev_driver_events_total{netdev=\"s1\",type=\"socket\",hub=\"1\",counter=\"reconnect\"} 2");
        assertLine(text, "patchbay_netdev_info{netdev=\"s3\",type=\"socket\",kind=\"netdev\"} 1");
        assertLine(text, "patchbay_hub_rx_bytes_total{hub=\"1\"} 700");
        assertLine(text, "patchbay_event_loop_busy_seconds_total{loop=\"patchbay-loop-0\"} 1.5");
    }

    @Test
    void filtersWithTheirNetdevStateStatusAndCounters() {
        String text = PrometheusText.of(NETWORK, STATISTICS, -1);
        String f1 = "filter=\"f1\",type=\"filter-mirror\",netdev=\"s3\"";
        assertLine(text, "patchbay_filter_state{" + f1 + ",state=\"active\"} 1");
        assertLine(text, "patchbay_filter_state{" + f1 + ",state=\"failed\"} 0");
        assertLine(text, "patchbay_filter_on{" + f1 + "} 0");
        assertLine(text, "patchbay_filter_events_total{" + f1 + ",counter=\"sent\"} 5");
    }

    @Test
    void labelValuesAreEscaped() {
        NetworkDTO odd = new NetworkDTO(List.of(), List.of(client("a\"b\\c\nd", "socket", "netdev", null, null,
                counters(0, Map.of(), Map.of("say \"hi\"", 1L)))));
        String text = PrometheusText.of(odd, STATISTICS, -1);
        assertLine(text, "patchbay_netdev_rx_frames_total{netdev=\"a\\\"b\\\\c\\nd\",type=\"socket\"} 0");
        assertLine(text, "patchbay_netdev_driver_events_total{netdev=\"a\\\"b\\\\c\\nd\",type=\"socket\","
                + "counter=\"say \\\"hi\\\"\"} 1");
    }

    @Test
    void qmpClientsOnlyWithAQmpServer() {
        assertFalse(PrometheusText.of(NETWORK, STATISTICS, -1).contains("patchbay_qmp_clients"));
        assertLine(PrometheusText.of(NETWORK, STATISTICS, 0), "patchbay_qmp_clients 0");
    }

    /** Prometheus takes a family's samples in one block after its HELP and TYPE. */
    @Test
    void everyFamilyIsOneBlock() {
        String text = PrometheusText.of(NETWORK, STATISTICS, 2);
        Set<String> seen = new HashSet<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                current = line.split(" ")[2];
                assertTrue(seen.add(current), "family twice: " + current);
            } else if (line.startsWith("# TYPE ")) {
                assertEquals(current, line.split(" ")[2], line);
            } else {
                assertTrue(line.startsWith(current + "{") || line.startsWith(current + " "), current + ": " + line);
            }
        }
        assertTrue(text.endsWith("\n"));
    }

    private static void assertLine(String text, String line) {
        assertTrue(("\n" + text).contains("\n" + line + "\n"), () -> "a line " + line + " in\n" + text);
    }

    private static NetClientDTO client(String name, String type, String kind, String peer, Integer hub,
            CountersDTO counters, FilterDTO... filters) {
        return new NetClientDTO(name, type, kind, "active", null, null, peer, hub, true, NO_OPTIONS, counters,
                List.of(filters));
    }

    private static CountersDTO counters(long rxFrames, Map<String, Long> drops, Map<String, Long> driver) {
        return new CountersDTO(rxFrames, rxFrames * 100, 0, 0, 0, drops, driver);
    }
}
