package net.console;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.control.dto.CountersDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;

/**
 * The counts at a {@code net:stats --reset}, kept in the console session that asked for it. The
 * runtime's counters count since each netdev was created and never go back: QMP's
 * {@code x-query-netdevs}, {@code /metrics} (Prometheus takes a counter that goes down for a
 * restart) and other console sessions read the same ones. So a reset changes nothing in the
 * runtime; this session's {@code net:stats} shows the counters less these counts instead.
 *
 * @param time    when the reset was
 * @param clients each client's counters then, by {@link #key}
 * @param hubs    each hub's totals then, by hub id
 */
record StatsBaseline(LocalTime time, Map<String, CountersDTO> clients, Map<Integer, HubStatsDTO> hubs) {

    /** The session variable holding it; Gogo's {@code set} leaves names starting with a dot out. */
    static final String VARIABLE = ".patchbay.stats.reset";

    private static final DateTimeFormatter HH_MM_SS = DateTimeFormatter.ofPattern("HH:mm:ss");

    /**
     * @param time    now
     * @param clients every client, with its counters
     * @param hubs    every hub's totals
     * @return the counts to subtract from now on
     */
    static StatsBaseline take(LocalTime time, List<NetClientDTO> clients, List<HubStatsDTO> hubs) {
        Map<String, CountersDTO> counters = new HashMap<>();
        for (NetClientDTO c : clients) {
            if (c.counters() != null) {
                counters.put(key(c), c.counters());
            }
        }
        Map<Integer, HubStatsDTO> totals = new HashMap<>();
        hubs.forEach(h -> totals.put(h.id(), h));
        return new StatsBaseline(time, counters, totals);
    }

    /** A NIC may have a netdev's name. */
    static String key(NetClientDTO c) {
        return c.kind() + ":" + c.name();
    }

    /** @return the header line saying so, e.g. {@code since reset at 12:00:03} */
    String header() {
        return "since reset at " + time.format(HH_MM_SS);
    }

    /**
     * @param c a client now
     * @return it with its counts since the reset; a client made after it (or deleted and made
     *         again, so that a count went below the reset's) counts since it was made
     */
    NetClientDTO since(NetClientDTO c) {
        CountersDTO now = c.counters();
        CountersDTO then = clients.get(key(c));
        if (now == null || then == null || now.rxFrames() < then.rxFrames() || now.txFrames() < then.txFrames()
                || now.rxBytes() < then.rxBytes() || now.txBytes() < then.txBytes()) {
            return c;
        }
        CountersDTO since = new CountersDTO(now.rxFrames() - then.rxFrames(), now.rxBytes() - then.rxBytes(),
                now.txFrames() - then.txFrames(), now.txBytes() - then.txBytes(), now.queued(),
                minus(now.drops(), then.drops()), now.driver());
        return new NetClientDTO(c.name(), c.type(), c.kind(), c.state(), c.error(), c.info(), c.peer(), c.hub(),
                c.linkUp(), c.options(), since, c.filters());
    }

    /**
     * @param h a hub's totals now
     * @return its totals since the reset; a hub whose totals went below the reset's (a port left)
     *         counts as it is
     */
    HubStatsDTO since(HubStatsDTO h) {
        HubStatsDTO then = hubs.get(h.id());
        if (then == null || h.rxFrames() < then.rxFrames() || h.txFrames() < then.txFrames()
                || h.rxBytes() < then.rxBytes() || h.txBytes() < then.txBytes()) {
            return h;
        }
        return new HubStatsDTO(h.id(), h.ports(), h.rxFrames() - then.rxFrames(), h.rxBytes() - then.rxBytes(),
                h.txFrames() - then.txFrames(), h.txBytes() - then.txBytes(), h.queued(),
                minus(h.drops(), then.drops()), h.rate());
    }

    /** Counts by name less those at the reset; a name whose count went down (a new driver) as it is. */
    private static Map<String, Long> minus(Map<String, Long> now, Map<String, Long> then) {
        if (now == null || then == null || then.isEmpty()) {
            return now;
        }
        Map<String, Long> since = new LinkedHashMap<>();
        now.forEach((reason, n) -> {
            long before = then.getOrDefault(reason, 0L);
            long count = n >= before ? n - before : n;
            if (count > 0) {
                since.put(reason, count); // a reason with no drops since the reset is left out
            }
        });
        return since;
    }
}
