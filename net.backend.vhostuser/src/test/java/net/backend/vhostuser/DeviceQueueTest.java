package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The device side of a split ring over plain memory: this test plays the driver, writing
 * descriptors and the available ring into a "guest" segment by hand, as a front end would.
 */
class DeviceQueueTest {

    private static final int N = 8;
    private static final long GPA = 0x100000;
    private static final long UVA = 0x7f0000000000L;
    private static final long SIZE = 1 << 16;
    private static final long DESC = 0x0;
    private static final long AVAIL = 0x1000;
    private static final long USED = 0x2000;
    private static final long INDIRECT = 0x3000;
    private static final long DATA = 0x8000;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment guest = arena.allocate(SIZE, 4096);
    private final GuestMemory memory = new GuestMemory();
    private final DeviceQueue queue = new DeviceQueue(memory);
    private final DescriptorChain chain = new DescriptorChain(memory, N);
    private int availIdx;

    DeviceQueueTest() {
        memory.add(GPA, UVA, guest, null);
        queue.size(N);
        queue.indirect(true);
        queue.place(memory.userRange(UVA + DESC, 16 * N), memory.userRange(UVA + AVAIL, 6 + 2 * N),
                memory.userRange(UVA + USED, 6 + 8 * N));
    }

    @AfterEach
    void free() {
        arena.close();
    }

    private void desc(long table, int i, long gpa, int len, int flags, int next) {
        long at = table + 16L * i;
        guest.set(DeviceQueue.U64, at, gpa);
        guest.set(DeviceQueue.U32, at + 8, len);
        guest.set(DeviceQueue.U16, at + 12, (short) flags);
        guest.set(DeviceQueue.U16, at + 14, (short) next);
    }

    private void offer(int head) {
        guest.set(DeviceQueue.U16, AVAIL + 4 + 2L * (availIdx % N), (short) head);
        availIdx++;
        guest.set(DeviceQueue.U16, AVAIL + 2, (short) availIdx);
    }

    private int usedIdx() {
        return Short.toUnsignedInt(guest.get(DeviceQueue.U16, USED + 2));
    }

    private byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void aChainedFrameIsGatheredWithoutItsHeaderAndGivenBack() {
        byte[] frame = bytes(100, 7);
        MemorySegment.copy(frame, 0, guest, ValueLayout.JAVA_BYTE, DATA + 12, 60);
        MemorySegment.copy(frame, 60, guest, ValueLayout.JAVA_BYTE, DATA + 0x100, 40);
        desc(DESC, 3, GPA + DATA, 72, SplitRingLayout.DESC_F_NEXT, 5);
        desc(DESC, 5, GPA + DATA + 0x100, 40, 0, 0);
        offer(3);
        assertEquals(1, queue.pending());
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        assertEquals(3, chain.head());
        assertEquals(112, chain.readable());
        MemorySegment out = arena.allocate(200);
        assertEquals(100, chain.gather(12, out, 0));
        assertArrayEquals(frame, out.asSlice(0, 100).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(DeviceQueue.EMPTY, queue.pop(chain));

        queue.push(3, 0);
        assertEquals(0, usedIdx(), "nothing visible before publish");
        assertTrue(queue.publish());
        assertEquals(1, usedIdx());
        assertEquals(3, guest.get(DeviceQueue.U32, USED + 4));
        assertFalse(queue.publish(), "nothing new to publish");
        assertEquals(1, queue.base());
    }

    @Test
    void noInterruptFlagSuppressesTheSignal() {
        guest.set(DeviceQueue.U16, AVAIL, (short) SplitRingLayout.AVAIL_F_NO_INTERRUPT);
        desc(DESC, 0, GPA + DATA, 64, 0, 0);
        offer(0);
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        queue.push(0, 0);
        assertFalse(queue.publish());
        assertEquals(1, usedIdx());
    }

    @Test
    void framesAreScatteredOverWritableBuffers() {
        desc(DESC, 0, GPA + DATA, 50, SplitRingLayout.DESC_F_NEXT | SplitRingLayout.DESC_F_WRITE, 1);
        desc(DESC, 1, GPA + DATA + 0x100, 100, SplitRingLayout.DESC_F_WRITE, 0);
        offer(0);
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        assertEquals(150, chain.writable());
        MemorySegment src = MemorySegment.ofArray(bytes(120, 1));
        assertEquals(120, chain.scatter(0, src, 0, 120));
        assertArrayEquals(bytes(50, 1), guest.asSlice(DATA, 50).toArray(ValueLayout.JAVA_BYTE));
        assertArrayEquals(bytes(70, 51), guest.asSlice(DATA + 0x100, 70).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(150, chain.scatter(0, MemorySegment.ofArray(new byte[200]), 0, 200),
                "stops where the buffers end");
    }

    @Test
    void indirectTablesAreFollowedOnceAndNeverNested() {
        desc(INDIRECT, 0, GPA + DATA, 12, SplitRingLayout.DESC_F_NEXT, 1);
        desc(INDIRECT, 1, GPA + DATA + 0x100, 30, 0, 0);
        desc(DESC, 2, GPA + INDIRECT, 32, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(2);
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        assertEquals(42, chain.readable());

        desc(INDIRECT, 1, GPA + INDIRECT, 32, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(2);
        assertRefused(Refusal.BAD_INDIRECT, "an indirect table inside one");

        desc(DESC, 2, GPA + INDIRECT, 24, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(2);
        assertRefused(Refusal.BAD_INDIRECT, "a table of 1.5 descriptors");

        desc(DESC, 2, GPA + INDIRECT, 32, SplitRingLayout.DESC_F_INDIRECT | SplitRingLayout.DESC_F_NEXT, 0);
        offer(2);
        assertRefused(Refusal.BAD_INDIRECT, "an indirect descriptor chained on");

        desc(DESC, 2, GPA + INDIRECT, 16 * (N + 1), SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(2);
        assertRefused(Refusal.BAD_INDIRECT, "a table longer than the queue");

        queue.indirect(false);
        desc(DESC, 2, GPA + INDIRECT, 32, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(2);
        assertRefused(Refusal.BAD_INDIRECT, "indirect descriptors not negotiated");
    }

    @Test
    void loopsAndOverlongChainsAreRefused() {
        desc(DESC, 0, GPA + DATA, 10, SplitRingLayout.DESC_F_NEXT, 1);
        desc(DESC, 1, GPA + DATA, 10, SplitRingLayout.DESC_F_NEXT, 0);
        offer(0);
        assertRefused(Refusal.BAD_CHAIN, "a loop");

        desc(DESC, 1, GPA + DATA, 10, SplitRingLayout.DESC_F_NEXT, N);
        offer(0);
        assertRefused(Refusal.BAD_CHAIN, "a next index past the table");

        desc(INDIRECT, 0, GPA + DATA, 10, SplitRingLayout.DESC_F_NEXT, 0);
        desc(DESC, 0, GPA + INDIRECT, 16, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(0);
        assertRefused(Refusal.BAD_CHAIN, "a loop in an indirect table");
    }

    @Test
    void buffersOutsideTheRegionsAreRefused() {
        desc(DESC, 0, GPA - 1, 10, 0, 0);
        offer(0);
        assertRefused(Refusal.BAD_ADDRESS, "starting below the region");
        desc(DESC, 0, GPA + SIZE - 4, 10, 0, 0);
        offer(0);
        assertRefused(Refusal.BAD_ADDRESS, "running past its end");
        desc(DESC, 0, -8, 16, 0, 0);
        offer(0);
        assertRefused(Refusal.BAD_ADDRESS, "wrapping around the address space");
        desc(DESC, 0, GPA, 0xffff_ffff, 0, 0);
        offer(0);
        assertRefused(Refusal.BAD_LENGTH, "4 GiB long");
        desc(DESC, 0, GPA + INDIRECT, 16, SplitRingLayout.DESC_F_INDIRECT, 0);
        desc(DESC, 1, GPA + SIZE, 16, SplitRingLayout.DESC_F_INDIRECT, 0);
        offer(1);
        assertRefused(Refusal.BAD_ADDRESS, "an indirect table outside");
    }

    @Test
    void anIndexMoreThanARingAheadStopsTheQueueUntilItIsPlacedAgain() {
        desc(DESC, 0, GPA + DATA, 10, 0, 0);
        guest.set(DeviceQueue.U16, AVAIL + 2, (short) (N + 1));
        assertEquals(0, queue.pending());
        assertEquals(Refusal.BAD_RING.ordinal() + 1, queue.pop(chain));
        assertFalse(queue.ready());
        assertEquals(DeviceQueue.EMPTY, queue.pop(chain), "stopped, and counted once");

        guest.set(DeviceQueue.U16, AVAIL + 2, (short) 1);
        guest.set(DeviceQueue.U16, AVAIL + 4, (short) N);
        queue.place(memory.userRange(UVA + DESC, 16 * N), memory.userRange(UVA + AVAIL, 6 + 2 * N),
                memory.userRange(UVA + USED, 6 + 8 * N));
        assertEquals(Refusal.BAD_RING.ordinal() + 1, queue.pop(chain), "a head past the ring");
    }

    @Test
    void theIndexesWrapAt65536() {
        queue.base(0xffff);
        availIdx = 0xffff;
        guest.set(DeviceQueue.U16, AVAIL + 2, (short) availIdx);
        desc(DESC, 0, GPA + DATA, 10, 0, 0);
        offer(0);
        offer(0);
        assertEquals(2, queue.pending());
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        assertEquals(DeviceQueue.OK, queue.pop(chain));
        assertEquals(1, queue.base());
        queue.unpop(2);
        assertEquals(0xffff, queue.base());
    }

    private void assertRefused(Refusal why, String what) {
        assertEquals(why.ordinal() + 1, queue.pop(chain), what);
        queue.push(chain.head(), 0);
        assertTrue(queue.ready(), what + ": the queue goes on");
    }
}
