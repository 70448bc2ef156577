package net.console;

import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.EventLoopDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.RateDTO;
import net.control.dto.StatisticsDTO;

/**
 * What {@code net:stats --watch} draws each time: a title line, a row of rates and counts per
 * client, the hubs' totals, and one line on the event loops. The rates are the runtime's, over
 * its last sampling interval; the loops' busy time and frames per iteration are this screen's,
 * from what the loops counted between two redraws, so it keeps the previous redraw's counters.
 */
final class StatsScreen {

    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String title;
    private Map<String, EventLoopDTO> lastLoops = Map.of();
    private long lastNanos;

    /** @param title the start of the first line, e.g. {@code net:stats every 1 s} */
    StatsScreen(String title) {
        this.title = title;
    }

    /**
     * @param stops    the end of the first line: how to stop the watch, or empty
     * @param clients  the clients to show, counts since the reset if there was one
     * @param stats    the runtime's statistics now
     * @param baseline this session's reset, or null
     * @param nanos    {@link System#nanoTime()} when {@code stats} was taken
     * @return the screen, every line ending with a newline
     */
    String draw(String stops, List<NetClientDTO> clients, StatisticsDTO stats, StatsBaseline baseline, long nanos) {
        StringBuilder out = new StringBuilder(title).append(", ")
                .append(LocalTime.ofInstant(stats.time(), ZoneId.systemDefault()).format(HH_MM_SS));
        if (baseline != null) {
            out.append(", ").append(baseline.header());
        }
        out.append(stops).append('\n');
        Table table = new Table("NAME", "LINK", "RX-FRAMES/S", "RX-BITS/S", "TX-FRAMES/S", "TX-BITS/S", "DROPS/S",
                "QUEUED", "RX-FRAMES", "TX-FRAMES", "DROPS");
        for (NetClientDTO c : clients) {
            NetClientDTO shown = baseline == null ? c : baseline.since(c);
            Map<String, RateDTO> rates = c.kind().equals("nic") ? stats.nics() : stats.netdevs();
            RateDTO r = rates.get(c.name());
            CountersDTO n = shown.counters();
            String link = !c.state().equals("active") ? c.state() : c.linkUp() ? "up" : "down";
            table.row(c.name(), link, r == null ? null : new Rate(r.rxFramesPerSecond()),
                    r == null ? null : new Rate(r.rxBitsPerSecond()), r == null ? null : new Rate(r.txFramesPerSecond()),
                    r == null ? null : new Rate(r.txBitsPerSecond()), r == null ? null : new Rate(r.dropsPerSecond()),
                    n == null ? null : n.queued(), n == null ? null : n.rxFrames(), n == null ? null : n.txFrames(),
                    n == null ? null : total(n.drops()));
        }
        out.append(table);
        if (!stats.hubs().isEmpty()) {
            Table hubs = new Table("HUB", "PORTS", "RX-FRAMES/S", "RX-BITS/S", "TX-FRAMES/S", "TX-BITS/S", "DROPS/S",
                    "QUEUED", "RX-FRAMES", "TX-FRAMES", "DROPS");
            for (HubStatsDTO hub : stats.hubs()) {
                HubStatsDTO h = baseline == null ? hub : baseline.since(hub);
                RateDTO r = h.rate();
                hubs.row(h.id(), h.ports().size(), r == null ? null : new Rate(r.rxFramesPerSecond()),
                        r == null ? null : new Rate(r.rxBitsPerSecond()), r == null ? null : new Rate(r.txFramesPerSecond()),
                        r == null ? null : new Rate(r.txBitsPerSecond()), r == null ? null : new Rate(r.dropsPerSecond()),
                        h.queued(), h.rxFrames(), h.txFrames(), total(h.drops()));
            }
            out.append('\n').append(hubs);
        }
        return out.append('\n').append(loops(stats.loops(), nanos)).append('\n').toString();
    }

    /** One line: per loop, the share of the time since the last redraw it worked, and frames per wake-up. */
    private String loops(List<EventLoopDTO> loops, long nanos) {
        StringBuilder line = new StringBuilder("event loops (busy, frames per iteration):");
        Map<String, EventLoopDTO> now = new HashMap<>();
        for (EventLoopDTO loop : loops) {
            now.put(loop.name(), loop);
            EventLoopDTO last = lastLoops.get(loop.name());
            line.append(line.charAt(line.length() - 1) == ':' ? " " : ", ").append(loop.name()).append(' ');
            if (last == null || nanos <= lastNanos) {
                line.append("- -"); // measured from the next redraw on
                continue;
            }
            double busy = 100.0 * (loop.busyNanos() - last.busyNanos()) / (nanos - lastNanos);
            long iterations = loop.iterations() - last.iterations();
            line.append(String.format(Locale.ROOT, "%.1f%%", Math.min(100, Math.max(0, busy)))).append(' ')
                    .append(iterations <= 0 ? "-" : String.format(Locale.ROOT, "%.1f",
                            (double) (loop.frames() - last.frames()) / iterations));
        }
        lastLoops = now;
        lastNanos = nanos;
        return line.toString();
    }

    private static long total(Map<String, Long> drops) {
        return drops == null ? 0 : drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
