package net.qmp.shell;

import java.util.Map;
import net.api.dto.CountersDTO;
import net.api.dto.NetClientDTO;
import net.api.dto.NetworkDTO;

/** The counters of every client as an aligned table, one row per client in creation order. */
public final class CounterTable {

    private CounterTable() {
    }

    /**
     * @param network the topology
     * @return the table text, every line ending with a newline
     */
    public static String format(NetworkDTO network) {
        Table table = new Table("NAME", "KIND", "TYPE", "STATE", "LINK", "RX-FRAMES", "RX-BYTES",
                "TX-FRAMES", "TX-BYTES", "QUEUED", "DROPS");
        for (NetClientDTO c : network.clients()) {
            CountersDTO n = c.counters();
            String link = c.linkUp() ? "up" : "down";
            if (n == null) {
                table.row(c.name(), c.kind(), c.type(), c.state(), link, null, null, null, null, null, null);
            } else {
                table.row(c.name(), c.kind(), c.type(), c.state(), link, n.rxFrames(), n.rxBytes(),
                        n.txFrames(), n.txBytes(), n.queued(), drops(n.drops()));
            }
        }
        return table.toString();
    }

    /** Drops by reason and the driver's own counters, as {@code reason=n,...}; none → null. */
    private static String drops(Map<String, Long> drops) {
        if (drops == null || drops.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        drops.forEach((reason, n) -> out.append(out.isEmpty() ? "" : ",").append(reason).append('=').append(n));
        return out.toString();
    }
}
