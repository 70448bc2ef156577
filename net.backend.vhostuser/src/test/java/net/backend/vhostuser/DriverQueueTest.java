package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.testlib.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The driver's ring over plain memory, with the test playing the device as the virtio 1.x spec
 * describes it: reading the available ring and descriptor table at the addresses the driver
 * announces, writing the used ring.
 */
class DriverQueueTest {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int SIZE = 8;
    private static final int BUFFER = 256;
    /** The address the driver gives for the memory's first byte, as a memory table would. */
    private static final long BASE = 0x4000_0000L;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment memory = arena.allocate(64 * 1024, 4096);
    private final DriverQueue queue = new DriverQueue(memory, BASE, SIZE, 0, 8192, BUFFER);
    /** The device's position in the available ring, and its next used index. */
    private int deviceAvail;
    private int deviceUsed;

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void theRingsLieWhereTheSpecPutsThem() {
        assertEquals(BASE, queue.descAddress());
        assertEquals(BASE + 16 * SIZE, queue.availAddress());
        // avail: flags, idx, ring[8], used_event = 22 bytes, then used on a cache line of its own
        assertEquals(BASE + 16 * SIZE + 64, queue.usedAddress());
        assertEquals(16 * SIZE + 64 + 6 + 8 * SIZE, DriverQueue.ringBytes(SIZE));
    }

    @Test
    void framesGoOutBehindAZeroHeaderAndTheirChainsComeBack() {
        byte[] small = Frames.testFrame(1, 60);
        byte[] large = Frames.testFrame(2, 600); // 12 + 600 bytes: three buffers of 256
        assertTrue(queue.offer(ByteBuffer.wrap(small), 12));
        assertTrue(queue.offer(ByteBuffer.wrap(large), 12));
        assertEquals(SIZE - 4, queue.free());
        assertEquals(0, availIdx(), "nothing visible before publish");
        queue.publish();
        assertEquals(2, availIdx());

        int first = popAvail();
        int second = popAvail();
        assertArrayEquals(withHeader(small), readChain(first));
        assertArrayEquals(withHeader(large), readChain(second));
        assertEquals(3, chainLength(second));

        pushUsed(second, 0);
        pushUsed(first, 0);
        assertEquals(second, queue.takeUsed());
        queue.release(second);
        assertEquals(first, queue.takeUsed());
        queue.release(first);
        assertEquals(-1, queue.takeUsed());
        assertEquals(SIZE, queue.free());
        assertEquals(0, queue.refused());
    }

    @Test
    void aFullRingRefusesTheFrameAndTakesItOnceChainsAreUsed() {
        byte[] frame = Frames.testFrame(3, 500); // two buffers each
        for (int i = 0; i < SIZE / 2; i++) {
            assertTrue(queue.offer(ByteBuffer.wrap(frame), 12));
        }
        ByteBuffer waiting = ByteBuffer.wrap(Frames.testFrame(4, 60));
        assertFalse(queue.offer(waiting, 12));
        assertEquals(60, waiting.remaining(), "a refused frame is left as it was");
        queue.publish();
        pushUsed(popAvail(), 0);
        assertEquals(0, queue.free(), "nothing freed before the driver takes the used entry");
        queue.release(queue.takeUsed());
        assertTrue(queue.offer(waiting, 12));
        queue.publish();
        assertEquals(SIZE / 2 + 1, availIdx());
    }

    @Test
    void receiveBuffersAreWritableAndTheirContentComesOut() {
        assertEquals(SIZE, queue.postReceiveBuffers());
        queue.publish();
        int head = popAvail();
        assertEquals(SplitRingLayout.DESC_F_WRITE, flags(head));
        assertEquals(BUFFER, memory.get(U32, 16L * head + 8));
        byte[] frame = Frames.testFrame(5, 100);
        long at = memory.get(U64, 16L * head) - BASE;
        memory.set(U16, at + 10, (short) 1);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, memory, at + 12, frame.length);
        pushUsed(head, 12 + frame.length);

        assertEquals(head, queue.takeUsed());
        assertEquals(112, queue.lengthOf(head));
        assertEquals(1, queue.firstBufferShort(head, 10));
        ByteBuffer out = ByteBuffer.allocate(frame.length);
        queue.copyOut(head, 12, out);
        assertArrayEquals(frame, out.array());
        queue.release(head);
        assertEquals(1, queue.postReceiveBuffers());
    }

    @Test
    void usedEntriesThatNameNoChainInFlightAreRefusedAndCounted() {
        queue.postReceiveBuffers();
        queue.publish();
        int head = popAvail();
        int other = popAvail();
        pushUsed(SIZE + 3, 0);               // no such descriptor
        pushUsed(-1, 0);                     // nor this
        pushUsed(head, BUFFER + 1);          // longer than the chain's buffers
        pushUsed(head, 10);                  // good
        pushUsed(head, 10);                  // the same chain again
        pushUsed(other, 0);                  // good
        assertEquals(head, queue.takeUsed());
        assertEquals(other, queue.takeUsed());
        assertEquals(-1, queue.takeUsed());
        assertEquals(4, queue.refused());
        queue.release(head);
        queue.release(other);
        pushUsed(head, 0);                   // released: no longer in flight
        assertEquals(-1, queue.takeUsed());
        assertEquals(5, queue.refused());
    }

    @Test
    void kicksAndCallsFollowTheFlags() {
        queue.offer(ByteBuffer.wrap(Frames.testFrame(6, 60)), 12);
        queue.publish();
        assertTrue(queue.wantsKick());
        memory.set(U16, queue.usedAddress() - BASE, (short) SplitRingLayout.USED_F_NO_NOTIFY);
        assertFalse(queue.wantsKick());
        queue.interrupts(false);
        assertEquals(SplitRingLayout.AVAIL_F_NO_INTERRUPT, memory.get(U16, queue.availAddress() - BASE));
        queue.interrupts(true);
        assertEquals(0, memory.get(U16, queue.availAddress() - BASE));
    }

    @Test
    void theIndicesWrapAroundSixteenBits() {
        byte[] frame = Frames.testFrame(7, 60);
        for (int i = 0; i < 70_000; i++) {
            assertTrue(queue.offer(ByteBuffer.wrap(frame), 12));
            queue.publish();
            int head = popAvail();
            pushUsed(head, 0);
            assertEquals(head, queue.takeUsed());
            queue.release(head);
        }
        assertEquals(70_000 & 0xffff, queue.availIndex());
        assertEquals(SIZE, queue.free());
        assertEquals(0, queue.refused());
    }

    private int availIdx() {
        return Short.toUnsignedInt(memory.get(U16, queue.availAddress() - BASE + 2));
    }

    private int popAvail() {
        int head = Short.toUnsignedInt(memory.get(U16, queue.availAddress() - BASE + 4 + 2L * (deviceAvail % SIZE)));
        deviceAvail++;
        return head;
    }

    private void pushUsed(int id, int length) {
        long usedRing = queue.usedAddress() - BASE;
        long entry = usedRing + 4 + 8L * (deviceUsed % SIZE);
        memory.set(U32, entry, id);
        memory.set(U32, entry + 4, length);
        deviceUsed++;
        memory.set(U16, usedRing + 2, (short) deviceUsed);
    }

    private int flags(int d) {
        return memory.get(U16, 16L * d + 12);
    }

    private int chainLength(int head) {
        int n = 1;
        for (int d = head; (flags(d) & SplitRingLayout.DESC_F_NEXT) != 0; d = memory.get(U16, 16L * d + 14)) {
            n++;
        }
        return n;
    }

    private byte[] readChain(int head) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int d = head;
        while (true) {
            long addr = memory.get(U64, 16L * d) - BASE;
            int len = memory.get(U32, 16L * d + 8);
            assertEquals(0, flags(d) & SplitRingLayout.DESC_F_WRITE, "transmit chains are device-readable");
            out.writeBytes(memory.asSlice(addr, len).toArray(ValueLayout.JAVA_BYTE));
            if ((flags(d) & SplitRingLayout.DESC_F_NEXT) == 0) {
                return out.toByteArray();
            }
            d = memory.get(U16, 16L * d + 14);
        }
    }

    private static byte[] withHeader(byte[] frame) {
        byte[] all = new byte[12 + frame.length];
        System.arraycopy(frame, 0, all, 12, frame.length);
        return all;
    }
}
