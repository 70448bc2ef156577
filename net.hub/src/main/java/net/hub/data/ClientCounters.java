package net.hub.data;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import net.api.NetCounter;
import net.control.dto.CountersDTO;

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
