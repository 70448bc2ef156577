package net.console;

import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.NetClientDTO;

/** The counters of clients as an aligned table, one row per client in the order given. */
public final class CounterTable {

    private CounterTable() {
    }

    /**
     * @param clients the clients, e.g. {@link net.control.dto.NetworkDTO#clients()} (creation order)
     * @return the table text, every line ending with a newline
     */
    public static String format(List<NetClientDTO> clients) {
        Table table = new Table("NAME", "KIND", "TYPE", "STATE", "LINK", "RX-FRAMES", "RX-BYTES",
                "TX-FRAMES", "TX-BYTES", "QUEUED", "DROPS", "DRIVER");
        for (NetClientDTO c : clients) {
            CountersDTO n = c.counters();
            String link = c.linkUp() ? "up" : "down";
            if (n == null) {
                table.row(c.name(), c.kind(), c.type(), c.state(), link, null, null, null, null, null, null, null);
            } else {
                table.row(c.name(), c.kind(), c.type(), c.state(), link, n.rxFrames(), n.rxBytes(),
                        n.txFrames(), n.txBytes(), n.queued(), list(n.drops()), list(n.driver()));
            }
        }
        return table.toString();
    }

    /** Named counts as {@code name=n,...}; none → null. */
    private static String list(Map<String, Long> counts) {
        if (counts == null || counts.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        counts.forEach((name, n) -> out.append(out.isEmpty() ? "" : ",").append(name).append('=').append(n));
        return out.toString();
    }
}
