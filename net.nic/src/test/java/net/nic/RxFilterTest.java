package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import net.api.RxFilterInfo;
import org.junit.jupiter.api.Test;

/** What a NIC takes, and how {@code query-rx-filter} reports it (virtio-net's values). */
class RxFilterTest {

    private static final MacAddress OWN = new MacAddress(0x5254_0012_3456L);
    private final RxFilter filter = new RxFilter(OWN);

    private static ByteBuffer frameTo(long destination, int length) {
        ByteBuffer frame = ByteBuffer.allocate(length + 3).position(3);
        new MacAddress(destination).put(frame);
        return frame.position(3);
    }

    private boolean takes(long destination) {
        return filter.accepts(frameTo(destination, 60));
    }

    private static MacAddress group(int n) {
        return new MacAddress(0x0100_5e00_0000L | n);
    }

    @Test
    void takesItsOwnAddressAndBroadcastOnly() {
        assertTrue(takes(OWN.bits()));
        assertTrue(takes(MacAddress.BROADCAST.bits()));
        assertFalse(takes(0x5254_0012_3457L));
        assertFalse(takes(group(1).bits()));
        assertFalse(filter.accepts(frameTo(OWN.bits(), 13)), "a runt");
    }

    @Test
    void takesTheMulticastItJoined() {
        assertTrue(filter.join(group(1)));
        assertFalse(filter.join(group(1)), "joined already");
        assertTrue(takes(group(1).bits()));
        assertFalse(takes(group(2).bits()));
    }

    @Test
    void promiscuousTakesEverything() {
        assertTrue(filter.promiscuous(true));
        assertFalse(filter.promiscuous(true), "no change");
        assertTrue(takes(0x0200_0000_0001L));
        assertTrue(takes(group(9).bits()));
        assertTrue(filter.promiscuous(false));
        assertFalse(takes(0x0200_0000_0001L));
    }

    /** virtio-net keeps 64 entries; a longer list overflows: every multicast is taken, none listed. */
    @Test
    void theSixtyFifthGroupOverflowsTheTable() {
        for (int i = 0; i < RxFilter.MULTICAST_ENTRIES; i++) {
            assertTrue(filter.join(group(i)));
        }
        assertFalse(takes(group(100).bits()));
        assertEquals(64, filter.info("n").multicastTable().size());
        assertFalse(filter.info("n").multicastOverflow());
        assertTrue(filter.join(group(100)));
        assertFalse(filter.join(group(101)), "overflowed already");
        assertTrue(takes(group(200).bits()));
        RxFilterInfo info = filter.info("n");
        assertTrue(info.multicastOverflow());
        assertEquals(List.of(), info.multicastTable());
    }

    /**
     * A virtio-net whose driver is up with this filter: rx modes normal, no VLAN filtering (all
     * 4096 ids, highest first), nobcast off (reported as broadcast-allowed false), tables last
     * entry first.
     */
    @Test
    void reportsAsVirtioNetWithItsDriverUp() {
        filter.join(group(1));
        filter.join(group(2));
        RxFilterInfo info = filter.info("k0");
        assertEquals("k0", info.name());
        assertFalse(info.promiscuous());
        assertEquals("normal", info.multicast());
        assertEquals("normal", info.unicast());
        assertEquals("all", info.vlan());
        assertFalse(info.broadcastAllowed());
        assertFalse(info.multicastOverflow());
        assertFalse(info.unicastOverflow());
        assertEquals("52:54:00:12:34:56", info.mainMac());
        assertEquals(4096, info.vlanTable().size());
        assertEquals(4095, info.vlanTable().get(0));
        assertEquals(0, info.vlanTable().get(4095));
        assertEquals(List.of(), info.unicastTable());
        assertEquals(List.of("01:00:5e:00:00:02", "01:00:5e:00:00:01"), info.multicastTable());
    }
}
