package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The split ring's sizes and offsets, against the virtio 1.x formulas worked out by hand. */
class SplitRingLayoutTest {

    @Test
    void onlyPowersOfTwoUpTo32768AreQueueSizes() {
        for (int legal : new int[] {1, 2, 4, 256, 1024, 32768}) {
            assertTrue(SplitRingLayout.isValidSize(legal), String.valueOf(legal));
        }
        for (int illegal : new int[] {0, -1, 3, 255, 257, 65536, Integer.MIN_VALUE, 32767}) {
            assertFalse(SplitRingLayout.isValidSize(illegal), String.valueOf(illegal));
        }
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> SplitRingLayout.of(100));
        assertEquals("invalid virtqueue size 100", refused.getMessage());
    }

    @Test
    void aRingOf256() {
        SplitRingLayout ring = SplitRingLayout.of(256);
        assertEquals(256, ring.size());
        assertEquals(4096, ring.descTableSize());
        assertEquals(518, ring.availSize());
        assertEquals(2054, ring.usedSize());
        assertEquals(16 * 255, ring.descOffset(255));
        assertEquals(0, ring.descOffset(256), "modulo N");
        assertEquals(4 + 2 * 3, ring.availRingOffset(259));
        assertEquals(4 + 512, ring.usedEventOffset());
        assertEquals(4 + 8 * 7, ring.usedRingOffset(65535 - 248), "free-running 65287 is entry 7");
        assertEquals(4 + 8 * 256, ring.availEventOffset());
        assertEquals(4096, ring.availOffset());
        assertEquals(4096 + 576, ring.usedOffset(), "4096 + 518 rounded up to 64");
        assertEquals(4096 + 576 + 2054, ring.totalSize());
    }

    @Test
    void aRingOfOneAndTheLargest() {
        SplitRingLayout one = SplitRingLayout.of(1);
        assertEquals(16, one.descTableSize());
        assertEquals(8, one.availSize());
        assertEquals(14, one.usedSize());
        assertEquals(0, one.descOffset(12345));
        assertEquals(64, one.usedOffset());
        SplitRingLayout largest = SplitRingLayout.of(32768);
        assertEquals(524288, largest.descTableSize());
        assertEquals(6 + 65536, largest.availSize());
        assertEquals(6 + 262144, largest.usedSize());
    }

    @Test
    void addressesMustHaveVirtiosAlignments() {
        assertTrue(SplitRingLayout.isAligned(0x1000, 0x2002, 0x3004));
        assertFalse(SplitRingLayout.isAligned(0x1008, 0x2000, 0x3000));
        assertFalse(SplitRingLayout.isAligned(0x1000, 0x2001, 0x3000));
        assertFalse(SplitRingLayout.isAligned(0x1000, 0x2000, 0x3002));
    }

    @Test
    void theIndexesAreLittleEndianU16sAtOffset2() {
        try (Arena arena = Arena.ofConfined()) {
            SplitRingLayout ring = SplitRingLayout.of(8);
            MemorySegment block = arena.allocate(ring.totalSize(), 64);
            MemorySegment avail = block.asSlice(ring.availOffset(), ring.availSize());
            MemorySegment used = block.asSlice(ring.usedOffset(), ring.usedSize());
            SplitRingLayout.publishAvailIndex(avail, 0x1_fffe);
            assertEquals(0xfffe, SplitRingLayout.availIndex(avail), "modulo 65536");
            assertEquals((byte) 0xfe, avail.get(ValueLayout.JAVA_BYTE, 2));
            assertEquals((byte) 0xff, avail.get(ValueLayout.JAVA_BYTE, 3));
            SplitRingLayout.publishUsedIndex(used, 0x0102);
            assertEquals(0x0102, SplitRingLayout.usedIndex(used));
            assertEquals((byte) 0x02, used.get(ValueLayout.JAVA_BYTE, 2));
            assertThrows(IllegalArgumentException.class, () -> SplitRingLayout.availIndex(block.asSlice(1)),
                    "a misaligned ring is refused, not read");
        }
    }
}
