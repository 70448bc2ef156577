package net.hub.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import net.api.NetCounter;

/** Counters made by name, each the same instance for the same name; snapshots in name order. */
final class NamedCounters {

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    NetCounter get(String name) {
        return counters.computeIfAbsent(name, n -> new Counter());
    }

    /** Adds every counter to {@code into}, by name. */
    void addTo(Map<String, Long> into) {
        if (counters.isEmpty()) {
            return; // most clients have none: a query over thousands of them makes no sorted copy each
        }
        new TreeMap<>(counters).forEach((name, counter) -> into.merge(name, counter.get(), Long::sum));
    }

    /** @return the sum of every counter */
    long total() {
        long sum = 0;
        for (Counter c : counters.values()) {
            sum += c.get();
        }
        return sum;
    }

    Map<String, Long> snapshot() {
        Map<String, Long> all = new LinkedHashMap<>();
        addTo(all);
        return all;
    }
}
