package net.http;

import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;

/** Writes the runtime's state in Prometheus' text exposition format. */
final class PrometheusText {

    private final StringBuilder out = new StringBuilder(4096);

    private PrometheusText() {
    }

    /**
     * @param network the topology with its counters
     * @return the exposition, every line ending with a newline
     */
    static String of(NetworkDTO network) {
        PrometheusText text = new PrometheusText();
        text.family("patchbay_netdev_rx_frames_total", "counter",
                "Frames a netdev took from its peer (x-query-netdevs rx-frames)");
        for (NetClientDTO c : network.clients()) {
            text.sample("patchbay_netdev_rx_frames_total", c, c.counters().rxFrames());
        }
        text.family("patchbay_netdev_tx_frames_total", "counter",
                "Frames a netdev sent that its peer took (x-query-netdevs tx-frames)");
        for (NetClientDTO c : network.clients()) {
            text.sample("patchbay_netdev_tx_frames_total", c, c.counters().txFrames());
        }
        return text.out.toString();
    }

    private void family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, NetClientDTO client, long value) {
        out.append(name).append("{netdev=\"");
        escaped(client.name());
        out.append("\",type=\"");
        escaped(client.type());
        out.append("\"} ").append(value).append('\n');
    }

    /** A label value: backslash, double quote and newline escaped, as the format asks. */
    private void escaped(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }
}
