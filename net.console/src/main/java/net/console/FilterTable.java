package net.console;

import net.control.dto.FilterDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;

/**
 * Every filter object as an aligned table, grouped by netdev in creation order, each netdev's
 * filters head first (the order frames meet them).
 */
public final class FilterTable {

    private FilterTable() {
    }

    /**
     * @param network the topology
     * @return the table text, every line ending with a newline; just the header when there are none
     */
    public static String format(NetworkDTO network) {
        Table table = new Table("ID", "TYPE", "NETDEV", "QUEUE", "STATUS", "STATE", "COUNTERS", "INFO");
        for (NetClientDTO c : network.clients()) {
            if (c.filters() == null) {
                continue;
            }
            for (FilterDTO f : c.filters()) {
                // The STATE column already says pending/failed; INFO carries why it failed.
                String info = "failed".equals(f.state()) ? f.error() : f.info();
                table.row(f.id(), f.type(), f.netdev(), f.queue(), f.status(), f.state(), counters(f), info);
            }
        }
        return table.toString();
    }

    /** The filter's own counters that are not zero, {@code name=value} comma-separated; null when none. */
    private static String counters(FilterDTO f) {
        if (f.counters() == null) {
            return null;
        }
        String text = f.counters().entrySet().stream().filter(c -> c.getValue() != 0)
                .map(c -> c.getKey() + "=" + c.getValue()).collect(java.util.stream.Collectors.joining(","));
        return text.isEmpty() ? null : text;
    }
}
