package net.nic;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import net.api.RxFilterInfo;

/**
 * A NIC's receive filter as a virtio-net device keeps it: its own address, broadcast, a table of
 * multicast addresses that overflows into "all multicast", and promiscuous mode. Matching a frame
 * allocates nothing; the table changes only on the NIC's loop.
 */
final class RxFilter {

    /** virtio-net's MAC table size: a longer multicast list makes the NIC take every multicast. */
    static final int MULTICAST_ENTRIES = 64;

    /** virtio-net's VLAN ids, highest first as it lists them; without VLAN filtering all are on. */
    private static final List<Integer> EVERY_VLAN = IntStream.iterate(4095, id -> id >= 0, id -> id - 1)
            .boxed().toList();

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
     * The filter as {@code query-rx-filter} reports it, valued as QEMU 7.2's virtio-net reports a
     * NIC whose guest driver is up with the same filter: rx modes set by the driver (promiscuous
     * as here, no all-/no-unicast or multicast flags), no VLAN filtering negotiated (virtio-net then
     * passes every VLAN: {@code vlan} is {@code all} and the table lists all 4096 ids), its MAC
     * table holding this filter's multicast list. virtio-net's quirks are kept: the tables are
     * listed last entry first, a list that overflowed the table is not kept in it, and
     * {@code broadcast-allowed} carries its "no broadcast" flag, so a NIC that receives broadcast
     * reports {@code false}.
     *
     * @param name the NIC's name
     * @return the report
     */
    RxFilterInfo info(String name) {
        List<String> groups = new ArrayList<>();
        if (!multicastOverflow) {
            for (int i = multicastCount - 1; i >= 0; i--) {
                groups.add(new MacAddress(multicast[i]).toString());
            }
        }
        return new RxFilterInfo(name, promiscuous, "normal", "normal", "all", false, multicastOverflow, false,
                mac.toString(), EVERY_VLAN, List.of(), List.copyOf(groups));
    }
}
