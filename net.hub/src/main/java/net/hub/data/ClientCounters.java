package net.hub.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import net.api.NetCounter;
import net.control.dto.CountersDTO;
import net.control.dto.RateDTO;

/**
 * The counters of one client that live as long as it: traffic and drops, the runtime's reasons
 * and those its backends named. Frame and byte counts are written by the client's loop only; drops
 * may be counted by another loop (a full hand-over queue), so they are atomic.
 */
public final class ClientCounters {

    long rxFrames;
    long rxBytes;
    long txFrames;
    long txBytes;
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final NamedCounters driverDrops = new NamedCounters();

    void rx(int bytes) {
        rxFrames++;
        rxBytes += bytes;
    }

    void tx(int bytes) {
        txFrames++;
        txBytes += bytes;
    }

    /** Counts a run of frames taken at once. */
    void rx(int frames, long bytes) {
        rxFrames += frames;
        rxBytes += bytes;
    }

    /** Counts a run of frames handed on at once. */
    void tx(int frames, long bytes) {
        txFrames += frames;
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

    NetCounter dropCounter(String reason) {
        return driverDrops.get(reason);
    }

    /**
     * What a rate is computed from: the counters at one moment.
     *
     * @param nanos    when ({@link System#nanoTime()})
     * @param rxFrames frames taken
     * @param rxBytes  their bytes
     * @param txFrames frames handed on
     * @param txBytes  their bytes
     * @param drops    frames lost, every reason together (the backend's named ones too)
     */
    public record Sample(long nanos, long rxFrames, long rxBytes, long txFrames, long txBytes, long drops) {

        /**
         * @param nanos when
         * @return counters that have not counted anything yet: what a client added since is measured from
         */
        public static Sample zero(long nanos) {
            return new Sample(nanos, 0, 0, 0, 0, 0);
        }

        /**
         * @param then an earlier sample of the same client
         * @return the rates between then and this sample (a counter smaller than then's was reset:
         *         it counts from zero)
         */
        public RateDTO since(Sample then) {
            double seconds = (nanos - then.nanos) / 1e9;
            if (seconds <= 0) {
                return new RateDTO(0, 0, 0, 0, 0);
            }
            return new RateDTO(delta(rxFrames, then.rxFrames) / seconds, delta(rxBytes, then.rxBytes) * 8 / seconds,
                    delta(txFrames, then.txFrames) / seconds, delta(txBytes, then.txBytes) * 8 / seconds,
                    delta(drops, then.drops) / seconds);
        }

        private static double delta(long now, long then) {
            return now >= then ? now - then : now;
        }
    }

    /**
     * @param nanos now ({@link System#nanoTime()})
     * @return the counters now, for a rate; call on the client's loop
     */
    Sample sample(long nanos) {
        long lost = driverDrops.total();
        for (int i = 0; i < drops.length(); i++) {
            lost += drops.get(i);
        }
        return new Sample(nanos, rxFrames, rxBytes, txFrames, txBytes, lost);
    }

    CountersDTO snapshot(int queued, Map<String, Long> driver) {
        Map<String, Long> all = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            long n = drops.get(r.ordinal());
            if (n != 0) {
                all.put(r.label(), n);
            }
        }
        driverDrops.addTo(all);
        return new CountersDTO(rxFrames, rxBytes, txFrames, txBytes, queued, all, driver);
    }
}
