package net.nic;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.api.RxFilterInfo;

/**
 * A NIC's receive filter as a virtio-net device keeps it: its own address, broadcast, a table of
 * multicast addresses that overflows into "all multicast", and promiscuous mode. Matching a frame
 * allocates nothing; the table changes only on the NIC's loop.
 */
final class RxFilter {

    /** virtio-net's MAC table size: a longer multicast list makes the NIC take every multicast. */
    static final int MULTICAST_ENTRIES = 64;

    private final MacAddress mac;
    private final long[] multicast = new long[MULTICAST_ENTRIES];
    private int multicastCount;
    private boolean multicastOverflow;
    private boolean promiscuous;

    RxFilter(MacAddress mac) {
        this.mac = mac;
    }

    MacAddress mac() {
        return mac;
    }

    /**
     * @param frame an Ethernet frame between position and limit
     * @return whether the NIC takes it: runts (no full header) never
     */
    boolean accepts(ByteBuffer frame) {
        if (frame.remaining() < 14) {
            return false;
        }
        if (promiscuous) {
            return true;
        }
        long destination = MacAddress.read(frame, frame.position());
        if (destination == MacAddress.BROADCAST.bits()) {
            return true;
        }
        if ((destination & 0x0100_0000_0000L) != 0) {
            if (multicastOverflow) {
                return true;
            }
            for (int i = 0; i < multicastCount; i++) {
                if (multicast[i] == destination) {
                    return true;
                }
            }
            return false;
        }
        return destination == mac.bits();
    }

    /**
     * Adds a multicast address to the table.
     *
     * @return whether the filter changed
     */
    boolean join(MacAddress group) {
        for (int i = 0; i < multicastCount; i++) {
            if (multicast[i] == group.bits()) {
                return false;
            }
        }
        if (multicastCount == MULTICAST_ENTRIES) {
            boolean changed = !multicastOverflow;
            multicastOverflow = true;
            return changed;
        }
        multicast[multicastCount++] = group.bits();
        return true;
    }

    /**
     * @param on promiscuous mode
     * @return whether the filter changed
     */
    boolean promiscuous(boolean on) {
        boolean changed = promiscuous != on;
        promiscuous = on;
        return changed;
    }

    /**
     * The filter as {@code query-rx-filter} reports it, valued as QEMU 7.2's virtio-net reports
     * the same state, including its quirk: {@code broadcast-allowed} carries virtio-net's
     * "no broadcast" flag, so a NIC that receives broadcast reports {@code false}.
     *
     * @param name the NIC's name
     * @return the report
     */
    RxFilterInfo info(String name) {
        List<String> groups = new ArrayList<>(multicastCount);
        for (int i = 0; i < multicastCount; i++) {
            groups.add(new MacAddress(multicast[i]).toString());
        }
        return new RxFilterInfo(name, promiscuous, "normal", "normal", "all",
                false, multicastOverflow, false, mac.toString(), List.of(), List.of(), List.copyOf(groups));
    }
}
