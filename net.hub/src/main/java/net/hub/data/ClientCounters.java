package net.hub.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import net.api.NetCounter;
import net.control.dto.CountersDTO;

/**
 * Counters of one client. Frame and byte counts are written by the client's loop only; drops may
 * be counted by another loop (a full hand-over queue), so they are atomic.
 */
public final class ClientCounters {

    long rxFrames;
    long rxBytes;
    long txFrames;
    long txBytes;
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final Map<String, Named> named = new ConcurrentHashMap<>();

    void rx(int bytes) {
        rxFrames++;
        rxBytes += bytes;
    }

    void tx(int bytes) {
        txFrames++;
        txBytes += bytes;
    }

    /** @param reason why a frame was dropped */
    public void drop(DropReason reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    void drop(DropReason reason, int n) {
        if (n > 0) {
            drops.addAndGet(reason.ordinal(), n);
        }
    }

    /** @param reason the reason  @return frames dropped for it */
    public long drops(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    NetCounter named(String name) {
        return named.computeIfAbsent(name, n -> new Named());
    }

    /** @return the counters a backend or filter made itself, by name (a copy) */
    public Map<String, Long> namedSnapshot() {
        Map<String, Long> all = new LinkedHashMap<>();
        named.forEach((name, counter) -> all.put(name, counter.get()));
        return all;
    }

    CountersDTO snapshot(int queued) {
        Map<String, Long> all = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            long n = drops.get(r.ordinal());
            if (n != 0) {
                all.put(r.label(), n);
            }
        }
        named.forEach((name, counter) -> all.put(name, counter.get()));
        return new CountersDTO(rxFrames, rxBytes, txFrames, txBytes, queued, all);
    }

    private static final class Named implements NetCounter {
        private final LongAdder value = new LongAdder();

        @Override
        public void increment() {
            value.increment();
        }

        @Override
        public void add(long n) {
            value.add(n);
        }

        @Override
        public long get() {
            return value.sum();
        }
    }
}
