package net.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import net.control.dto.CountersDTO;
import net.control.dto.EventLoopDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;

/**
 * Writes the runtime's counters in Prometheus' text exposition format (0.0.4): one family per
 * metric, its samples together, label values escaped. Netdevs and hubports are labelled
 * {@code netdev}, NICs {@code nic} (a NIC may have a netdev's name); {@code hub} is the hub of a
 * hubport, or of the hubport a netdev or NIC is peered with, and left out otherwise (Prometheus
 * takes an empty label as an absent one). Filters are labelled {@code filter}, {@code type} and the
 * {@code netdev} they filter. Rates are Prometheus' to compute, from the counters.
 */
final class PrometheusText {

    /** The states of {@link NetClientDTO#state()} and {@link FilterDTO#state()}, one series each (a state set). */
    private static final List<String> STATES = List.of("active", "pending", "failed");

    private final StringBuilder out = new StringBuilder(8192);

    private PrometheusText() {
    }

    /**
     * @param network    the topology with its counters
     * @param statistics hub totals and event-loop counters
     * @param qmpClients the QMP clients connected now, or -1 when there is no QMP server (the
     *                   family is left out)
     * @return the exposition, every line ending with a newline
     */
    static String of(NetworkDTO network, StatisticsDTO statistics, int qmpClients) {
        PrometheusText text = new PrometheusText();
        text.clients(network.clients());
        text.filters(network.clients());
        text.hubs(statistics.hubs());
        text.loops(statistics.loops());
        if (qmpClients >= 0) {
            text.family("patchbay_qmp_clients", "gauge", "QMP clients connected now (left out when no QMP server is installed)");
            text.out.append("patchbay_qmp_clients ").append(qmpClients).append('\n');
        }
        return text.out.toString();
    }

    private void clients(List<NetClientDTO> clients) {
        Map<String, Integer> hubOfPort = new HashMap<>();
        for (NetClientDTO c : clients) {
            if (c.hub() != null) {
                hubOfPort.put(c.name(), c.hub());
            }
        }
        List<String> labels = new ArrayList<>(clients.size());
        for (NetClientDTO c : clients) {
            labels.add(labels(c, hubOfPort));
        }
        counter("patchbay_netdev_rx_frames_total",
                "Frames a netdev, hubport or NIC took from its peer (x-query-netdevs rx-frames)",
                clients, labels, c -> c.counters().rxFrames());
        counter("patchbay_netdev_rx_bytes_total", "Bytes of those frames (x-query-netdevs rx-bytes)",
                clients, labels, c -> c.counters().rxBytes());
        counter("patchbay_netdev_tx_frames_total",
                "Frames a netdev, hubport or NIC sent that its peer took (x-query-netdevs tx-frames)",
                clients, labels, c -> c.counters().txFrames());
        counter("patchbay_netdev_tx_bytes_total", "Bytes of those frames (x-query-netdevs tx-bytes)",
                clients, labels, c -> c.counters().txBytes());
        family("patchbay_netdev_dropped_frames_total", "counter",
                "Frames lost, by reason (link-down, no-peer, queue-full, ... and the driver's); a reason"
                        + " appears at its first loss");
        for (int i = 0; i < clients.size(); i++) {
            keyed("patchbay_netdev_dropped_frames_total", labels.get(i), "reason", clients.get(i).counters().drops());
        }
        gauge("patchbay_netdev_queued_frames", "Frames waiting in the incoming queue now",
                clients, labels, c -> c.counters().queued());
        gauge("patchbay_netdev_link_up", "1 when the link is up (set_link on), 0 when down",
                clients, labels, c -> c.linkUp() ? 1 : 0);
        states("patchbay_netdev_state", clients, labels, NetClientDTO::state);
        family("patchbay_netdev_info", "gauge", "Always 1: what it is (netdev, hubport or nic) and its peer");
        for (int i = 0; i < clients.size(); i++) {
            NetClientDTO c = clients.get(i);
            start("patchbay_netdev_info", labels.get(i));
            label("kind", c.kind());
            if (c.peer() != null) {
                label("peer", c.peer());
            }
            out.append("} 1\n");
        }
        family("patchbay_netdev_driver_events_total", "counter",
                "The driver's counters of what is not a lost frame (reconnect, eof, ...), by counter;"
                        + " reset when another driver opens the netdev");
        for (int i = 0; i < clients.size(); i++) {
            keyed("patchbay_netdev_driver_events_total", labels.get(i), "counter",
                    clients.get(i).counters().driver());
        }
    }

    private void filters(List<NetClientDTO> clients) {
        List<FilterDTO> filters = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (NetClientDTO c : clients) {
            for (FilterDTO f : c.filters()) {
                filters.add(f);
                labels.add(labelText("filter", f.id()) + ',' + labelText("type", f.type()) + ','
                        + labelText("netdev", f.netdev()));
            }
        }
        states("patchbay_filter_state", filters, labels, FilterDTO::state);
        gauge("patchbay_filter_on", "1 when the filter acts on frames (status on), 0 when it passes them untouched",
                filters, labels, f -> "on".equals(f.status()) ? 1 : 0);
        family("patchbay_filter_events_total", "counter",
                "The open filter's own counters (sent, dropped, ...), by counter; reset when it opens again");
        for (int i = 0; i < filters.size(); i++) {
            keyed("patchbay_filter_events_total", labels.get(i), "counter", filters.get(i).counters());
        }
    }

    private void hubs(List<HubStatsDTO> hubs) {
        List<String> labels = new ArrayList<>(hubs.size());
        for (HubStatsDTO h : hubs) {
            labels.add("hub=\"" + h.id() + '"');
        }
        counter("patchbay_hub_rx_frames_total", "Frames into the hub: the sum of its ports' rx frames",
                hubs, labels, HubStatsDTO::rxFrames);
        counter("patchbay_hub_rx_bytes_total", "Bytes of those frames", hubs, labels, HubStatsDTO::rxBytes);
        counter("patchbay_hub_tx_frames_total",
                "Frames out of the hub: the sum of its ports' tx frames (a frame in goes out to every other port)",
                hubs, labels, HubStatsDTO::txFrames);
        counter("patchbay_hub_tx_bytes_total", "Bytes of those frames", hubs, labels, HubStatsDTO::txBytes);
        family("patchbay_hub_dropped_frames_total", "counter", "Frames its ports lost, by reason");
        for (int i = 0; i < hubs.size(); i++) {
            keyed("patchbay_hub_dropped_frames_total", labels.get(i), "reason", hubs.get(i).drops());
        }
        gauge("patchbay_hub_queued_frames", "Frames waiting in its ports' queues now", hubs, labels,
                HubStatsDTO::queued);
        gauge("patchbay_hub_ports", "Its ports now", hubs, labels, h -> h.ports().size());
    }

    private void loops(List<EventLoopDTO> loops) {
        List<String> labels = new ArrayList<>(loops.size());
        for (EventLoopDTO l : loops) {
            labels.add(labelText("loop", l.name()));
        }
        family("patchbay_event_loop_busy_seconds_total", "counter",
                "Time the loop spent working, outside its wait for the kernel; rate() of it is the share of a CPU");
        for (int i = 0; i < loops.size(); i++) {
            start("patchbay_event_loop_busy_seconds_total", labels.get(i));
            out.append("} ").append(loops.get(i).busyNanos() / 1e9).append('\n');
        }
        counter("patchbay_event_loop_iterations_total", "Times the loop woke up (I/O, a timer, a control operation)",
                loops, labels, EventLoopDTO::iterations);
        counter("patchbay_event_loop_frames_total",
                "Frames its clients handed on; frames per wake-up is rate(patchbay_event_loop_frames_total)"
                        + " / rate(patchbay_event_loop_iterations_total)",
                loops, labels, EventLoopDTO::frames);
        gauge("patchbay_event_loop_clients", "Netdevs, hubports and NICs the loop owns now", loops, labels,
                EventLoopDTO::clients);
    }

    /** A state set: per item, 1 for the state it is in and 0 for the others. */
    private <T> void states(String name, List<T> items, List<String> labels, Function<T, String> state) {
        family(name, "gauge", "1 for the state it is in (active; pending: no driver; failed: its driver refused"
                + " it, see x-query-netdevs), 0 for the others");
        for (int i = 0; i < items.size(); i++) {
            String now = state.apply(items.get(i));
            for (String one : STATES) {
                sample(name, labels.get(i), "state", one, one.equals(now) ? 1 : 0);
            }
        }
    }

    /** @return the labels naming a client: netdev or nic, type, and hub when it is on one */
    private static String labels(NetClientDTO c, Map<String, Integer> hubOfPort) {
        Integer hub = c.hub() != null ? c.hub() : c.peer() == null ? null : hubOfPort.get(c.peer());
        String names = labelText(c.kind().equals("nic") ? "nic" : "netdev", c.name()) + ','
                + labelText("type", c.type());
        return hub == null ? names : names + ",hub=\"" + hub + '"';
    }

    private <T> void counter(String name, String help, List<T> items, List<String> labels, ToLongFunction<T> value) {
        series(name, "counter", help, items, labels, value);
    }

    private <T> void gauge(String name, String help, List<T> items, List<String> labels, ToLongFunction<T> value) {
        series(name, "gauge", help, items, labels, value);
    }

    private <T> void series(String name, String type, String help, List<T> items, List<String> labels,
            ToLongFunction<T> value) {
        family(name, type, help);
        for (int i = 0; i < items.size(); i++) {
            start(name, labels.get(i));
            out.append("} ").append(value.applyAsLong(items.get(i))).append('\n');
        }
    }

    /** One sample per entry, the key as a label. */
    private void keyed(String name, String labels, String key, Map<String, Long> values) {
        values.forEach((k, v) -> sample(name, labels, key, k, v));
    }

    private void sample(String name, String labels, String key, String keyValue, long value) {
        start(name, labels);
        label(key, keyValue);
        out.append("} ").append(value).append('\n');
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ');
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        out.append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** A sample's name and labels, its brace left open for more. */
    private void start(String name, String labels) {
        out.append(name).append('{').append(labels);
    }

    private void label(String name, String value) {
        out.append(',').append(labelText(name, value));
    }

    /** @return {@code name="value"}, the value's backslashes, double quotes and newlines escaped */
    static String labelText(String name, String value) {
        StringBuilder b = new StringBuilder(name.length() + value.length() + 3).append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
