package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The driver's side of one virtio 1.x split virtqueue in memory the front end owns, as QEMU's
 * guest driver keeps it: a descriptor table, the available ring it fills and the used ring the
 * device fills. Every descriptor owns one fixed buffer of {@code bufferSize} bytes in the same
 * memory, so a chain is a run of buffers; what a chain holds is the caller's business.
 *
 * <p>The device can write the whole shared memory, so nothing the driver needs is read back from
 * it but the used ring, and every used entry is checked against what is in flight: an id that is
 * no chain's head, or a length beyond the chain's buffers, is refused and counted, never followed.
 * The chains themselves are kept in Java arrays.
 *
 * <p>No allocation after construction; one thread (the netdev's loop).
 */
final class DriverQueue {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment memory;
    /** The same memory as a buffer, for copies to and from frames without allocating. */
    private final ByteBuffer window;
    private final long base;
    private final SplitRingLayout layout;
    private final int size;
    private final long desc;
    private final long avail;
    private final long used;
    /** The two rings alone, for their indexes' ordered accesses. */
    private final MemorySegment availRing;
    private final MemorySegment usedRing;
    private final long buffers;
    private final int bufferSize;
    /** Chain links of free descriptors and of chains in flight (-1 ends a chain). */
    private final int[] next;
    /** For a head in flight: its chain's length in descriptors; 0 for any other descriptor. */
    private final int[] chainLength;
    /** For a head taken from the used ring: the length the device wrote. */
    private final int[] usedLength;
    private int freeHead;
    private int free;
    /** The available ring's next index, published with {@link #publish()}. */
    private short availIdx;
    private short publishedIdx;
    private short lastUsed;
    private long refused;

    /**
     * @param memory     the shared memory, as mapped here (at most 2 GiB)
     * @param base       the address that stands for {@code memory}'s first byte in descriptors and
     *                   in the vring addresses (the memory table's guest_phys_addr and userspace_addr)
     * @param size       the queue's size, a power of two
     * @param ring       where in {@code memory} the rings are, 64-aligned: {@link #ringBytes(int)} bytes
     * @param buffers    where in {@code memory} the buffers are: {@code size * bufferSize} bytes
     * @param bufferSize each descriptor's buffer
     */
    DriverQueue(MemorySegment memory, long base, int size, long ring, long buffers, int bufferSize) {
        this.layout = SplitRingLayout.of(size);
        this.memory = memory;
        this.window = memory.asByteBuffer();
        this.base = base;
        this.size = size;
        this.desc = ring;
        this.avail = ring + layout.availOffset();
        this.used = ring + layout.usedOffset();
        this.availRing = memory.asSlice(avail, layout.availSize());
        this.usedRing = memory.asSlice(used, layout.usedSize());
        this.buffers = buffers;
        this.bufferSize = bufferSize;
        memory.asSlice(ring, ringBytes(size)).fill((byte) 0);
        this.next = new int[size];
        this.chainLength = new int[size];
        this.usedLength = new int[size];
        reset();
    }

    /** @return the bytes the three parts of a queue of {@code size} take, each at its alignment */
    static long ringBytes(int size) {
        return SplitRingLayout.of(size).totalSize();
    }

    /** Forgets every chain (the device is gone or stopped): all descriptors free, indices back to 0. */
    void reset() {
        for (int i = 0; i < size; i++) {
            next[i] = i + 1 < size ? i + 1 : -1;
            chainLength[i] = 0;
        }
        freeHead = 0;
        free = size;
        availIdx = 0;
        publishedIdx = 0;
        lastUsed = 0;
        SplitRingLayout.publishAvailIndex(availRing, 0);
        SplitRingLayout.publishUsedIndex(usedRing, 0);
    }

    /** @return the queue's size */
    int size() {
        return size;
    }

    /** @return the address of the descriptor table, as the device is told it */
    long descAddress() {
        return base + desc;
    }

    /** @return the address of the available ring, as the device is told it */
    long availAddress() {
        return base + avail;
    }

    /** @return the address of the used ring, as the device is told it */
    long usedAddress() {
        return base + used;
    }

    /** @return each descriptor's buffer size */
    int bufferSize() {
        return bufferSize;
    }

    /** @return descriptors not in flight */
    int free() {
        return free;
    }

    /** @return the available index this driver will publish next, for SET_VRING_BASE after a restart */
    int availIndex() {
        return Short.toUnsignedInt(availIdx);
    }

    /** @return used entries refused so far: ids that are no head in flight, lengths beyond the chain */
    long refused() {
        return refused;
    }

    /**
     * Puts a device-readable chain holding {@code header} zero bytes and then {@code frame} into the
     * available ring (unpublished until {@link #publish()}).
     *
     * @return false when too few descriptors are free (the frame is left as it was)
     */
    boolean offer(ByteBuffer frame, int header) {
        int length = header + frame.remaining();
        int count = Math.max(1, (length + bufferSize - 1) / bufferSize);
        if (count > free) {
            return false;
        }
        int head = take(count, 0);
        int d = head;
        long left = length;
        int skip = header;
        while (d >= 0) {
            long at = buffers + (long) d * bufferSize;
            int chunk = (int) Math.min(left, bufferSize);
            int zeros = Math.min(skip, chunk);
            if (zeros > 0) {
                for (int i = 0; i < zeros; i++) { // a header's few bytes: no slice object per frame
                    memory.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0);
                }
                skip -= zeros;
            }
            int data = chunk - zeros;
            if (data > 0) {
                window.put((int) (at + zeros), frame, frame.position(), data);
                frame.position(frame.position() + data);
            }
            memory.set(U32, desc + layout.descOffset(d) + SplitRingLayout.DESC_LEN, chunk);
            left -= chunk;
            d = next[d];
        }
        makeAvailable(head);
        return true;
    }

    /**
     * Puts device-writable single-buffer chains into the available ring until none is free
     * (unpublished until {@link #publish()}).
     *
     * @return how many were added
     */
    int postReceiveBuffers() {
        int n = 0;
        while (free > 0) {
            int head = take(1, SplitRingLayout.DESC_F_WRITE);
            memory.set(U32, desc + layout.descOffset(head) + SplitRingLayout.DESC_LEN, bufferSize);
            makeAvailable(head);
            n++;
        }
        return n;
    }

    /** Makes the chains added since the last call visible to the device. */
    void publish() {
        if (availIdx == publishedIdx) {
            return;
        }
        SplitRingLayout.publishAvailIndex(availRing, availIdx); // after the entries and buffers
        publishedIdx = availIdx;
    }

    /**
     * @return whether the device wants a kick for what was published: it did not set
     *         VRING_USED_F_NO_NOTIFY (read after the index was published)
     */
    boolean wantsKick() {
        VarHandle.fullFence(); // the published index before the device's flag
        return (memory.get(U16, used + SplitRingLayout.USED_FLAGS) & SplitRingLayout.USED_F_NO_NOTIFY) == 0;
    }

    /** @param on whether the device should call when it uses chains (VRING_AVAIL_F_NO_INTERRUPT off) */
    void interrupts(boolean on) {
        memory.set(U16, avail + SplitRingLayout.AVAIL_FLAGS, (short) (on ? 0 : SplitRingLayout.AVAIL_F_NO_INTERRUPT));
        VarHandle.fullFence();
    }

    /** @return whether the device has used entries this driver has not taken */
    boolean hasUsed() {
        return (short) SplitRingLayout.usedIndex(usedRing) != lastUsed;
    }

    /**
     * Takes the next used entry; refuses (counts and skips) entries that name no head in flight or
     * a length beyond the chain's buffers.
     *
     * @return the head of the used chain, or -1 when no used entry waits; its length in
     *         {@link #lengthOf(int)} until it is {@link #release(int) released} (a second used
     *         entry for it before then is refused)
     */
    int takeUsed() {
        while (hasUsed()) {
            long entry = used + layout.usedRingOffset(lastUsed);
            int id = memory.get(U32, entry);
            int length = memory.get(U32, entry + 4);
            lastUsed++;
            if (id < 0 || id >= size || chainLength[id] == 0 || usedLength[id] >= 0
                    || Integer.toUnsignedLong(length) > (long) chainLength[id] * bufferSize) {
                refused++;
                continue;
            }
            usedLength[id] = length;
            return id;
        }
        return -1;
    }

    /** @return the length the device reported for a used chain not yet released */
    int lengthOf(int head) {
        return usedLength[head];
    }

    /**
     * Copies bytes out of a chain's buffers.
     *
     * @param head   a used chain not yet released
     * @param offset where in the chain to start
     * @param into   where to, from its position; as many bytes as it has room for are copied
     */
    void copyOut(int head, int offset, ByteBuffer into) {
        int d = head;
        int skip = offset;
        while (d >= 0 && into.hasRemaining()) {
            if (skip >= bufferSize) {
                skip -= bufferSize;
            } else {
                int n = Math.min(bufferSize - skip, into.remaining());
                into.put(into.position(), window, (int) (buffers + (long) d * bufferSize + skip), n);
                into.position(into.position() + n);
                skip = 0;
            }
            d = next[d];
        }
    }

    /** @return the little-endian u16 at {@code offset} of a chain's first buffer ({@code offset + 2 <= bufferSize}) */
    int firstBufferShort(int head, int offset) {
        return Short.toUnsignedInt(memory.get(U16, buffers + (long) head * bufferSize + offset));
    }

    /** Frees a used chain's descriptors. */
    void release(int head) {
        int d = head;
        int last = head;
        while (d >= 0) {
            last = d;
            d = next[d];
        }
        next[last] = freeHead;
        freeHead = head;
        free += chainLength[head];
        chainLength[head] = 0;
    }

    private int take(int count, int flags) {
        int head = freeHead;
        int d = head;
        for (int i = 1; i <= count; i++) {
            int following = next[d];
            memory.set(U64, desc + layout.descOffset(d) + SplitRingLayout.DESC_ADDR, base + buffers + (long) d * bufferSize);
            memory.set(U16, desc + layout.descOffset(d) + SplitRingLayout.DESC_FLAGS,
                    (short) (i < count ? flags | SplitRingLayout.DESC_F_NEXT : flags));
            memory.set(U16, desc + layout.descOffset(d) + SplitRingLayout.DESC_NEXT, (short) (i < count ? following : 0));
            if (i == count) {
                freeHead = following;
                next[d] = -1;
            }
            d = following;
        }
        free -= count;
        chainLength[head] = count;
        usedLength[head] = -1;
        return head;
    }

    private void makeAvailable(int head) {
        memory.set(U16, avail + layout.availRingOffset(availIdx), (short) head);
        availIdx++;
    }
}
