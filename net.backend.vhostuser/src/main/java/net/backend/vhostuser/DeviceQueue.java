package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The device's side of one split virtqueue (virtio 1.x, 2.7) in the front end's memory: takes the
 * chains the driver made available, resolves their descriptors (direct and indirect) against the
 * memory table, and gives them back through the used ring. Everything read from the ring is
 * checked before it is used: a head or next index past its table, a chain that loops or is longer
 * than the queue, a buffer outside the regions. No allocation after setup. Use on one thread.
 */
final class DeviceQueue {

    /** Unaligned: an indirect table lies wherever the driver put it. */
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** {@link #pop} found nothing available. */
    static final int EMPTY = -1;
    /** {@link #pop} resolved a chain. */
    static final int OK = 0;

    private final GuestMemory memory;
    private SplitRingLayout layout;
    private int size;
    private MemorySegment desc;
    private MemorySegment avail;
    private MemorySegment used;
    private int lastAvail;
    private int usedIdx;
    private int unpublished;
    private boolean indirect;
    private boolean broken;

    /** @param memory the memory table the rings and buffers lie in */
    DeviceQueue(GuestMemory memory) {
        this.memory = memory;
    }

    /** @return the memory table the ring and its buffers lie in */
    GuestMemory memory() {
        return memory;
    }

    /**
     * @param entries the ring's size ({@code VHOST_USER_SET_VRING_NUM}), a
     *                {@linkplain SplitRingLayout#isValidSize valid} one
     */
    void size(int entries) {
        layout = SplitRingLayout.of(entries);
        size = entries;
    }

    /** @return the ring's geometry, or null before its size is set */
    SplitRingLayout layout() {
        return layout;
    }

    int size() {
        return size;
    }

    /** @param on whether descriptors may point to indirect tables (VIRTIO_RING_F_INDIRECT_DESC) */
    void indirect(boolean on) {
        indirect = on;
    }

    /**
     * Places the ring ({@code VHOST_USER_SET_VRING_ADDR}); the used index goes on from where the
     * used ring says, as after a reset the driver has seen everything given back.
     *
     * @param descTable the descriptor table, 16 bytes per entry
     * @param availRing the available ring: flags, idx, ring[size], used_event
     * @param usedRing  the used ring: flags, idx, ring[size]{id, len}, avail_event
     *                  (all three {@linkplain SplitRingLayout#isAligned aligned})
     */
    void place(MemorySegment descTable, MemorySegment availRing, MemorySegment usedRing) {
        desc = descTable;
        avail = availRing;
        used = usedRing;
        usedIdx = SplitRingLayout.usedIndex(used);
        unpublished = 0;
        broken = false;
    }

    /** @return whether the ring is placed and not stopped by a bad index */
    boolean ready() {
        return desc != null && !broken;
    }

    /** Forgets the ring's place (its memory is going); the indexes stay for {@link #base()}. */
    void unplace() {
        desc = null;
        avail = null;
        used = null;
    }

    /** @param index the next available entry to take ({@code VHOST_USER_SET_VRING_BASE}) */
    void base(int index) {
        lastAvail = index & 0xffff;
    }

    /** @return the next available entry to take ({@code VHOST_USER_GET_VRING_BASE}) */
    int base() {
        return lastAvail;
    }

    /**
     * @return how many chains the driver made available and the device has not taken; 0 when the
     *         ring is not ready, or its index is more than a ring ahead (then {@link #pop} stops it)
     */
    int pending() {
        if (!ready()) {
            return 0;
        }
        int pending = availIndex() - lastAvail & 0xffff;
        return pending > size ? 0 : pending;
    }

    /**
     * Takes the next available chain and resolves it into {@code chain}.
     *
     * @return {@link #OK}; {@link #EMPTY}; or a refusal's ordinal + 1: the chain is taken and must
     *         be given back ({@link #push} with length 0), except after {@link Refusal#BAD_RING}:
     *         then the ring has stopped, and pops find it empty until it is placed again
     */
    int pop(DescriptorChain chain) {
        if (!ready()) {
            return EMPTY;
        }
        int pending = availIndex() - lastAvail & 0xffff;
        if (pending == 0) {
            return EMPTY;
        }
        int head = Short.toUnsignedInt(avail.get(U16, layout.availRingOffset(lastAvail)));
        if (pending > size || head >= size) {
            broken = true;
            return Refusal.BAD_RING.ordinal() + 1;
        }
        lastAvail = (lastAvail + 1) & 0xffff;
        chain.reset(head);
        Refusal r = resolve(head, chain);
        if (r != null) {
            return r.ordinal() + 1;
        }
        return OK;
    }

    private int availIndex() {
        return SplitRingLayout.availIndex(avail);
    }

    /** Puts back the last {@code n} chains taken, e.g. when a frame did not fit the ones there were. */
    void unpop(int n) {
        lastAvail = (lastAvail - n) & 0xffff;
    }

    private Refusal resolve(int head, DescriptorChain chain) {
        MemorySegment table = desc;
        long tableBase = 0;
        int entries = size;
        int budget = size; // direct and indirect descriptors together: at most the queue's size
        boolean nested = false;
        int i = head;
        while (true) {
            if (i >= entries) {
                return Refusal.BAD_CHAIN;
            }
            long at = tableBase + (long) i * SplitRingLayout.DESC_SIZE;
            long addr = table.get(U64, at + SplitRingLayout.DESC_ADDR);
            long len = Integer.toUnsignedLong(table.get(U32, at + SplitRingLayout.DESC_LEN));
            int flags = Short.toUnsignedInt(table.get(U16, at + SplitRingLayout.DESC_FLAGS));
            int next = Short.toUnsignedInt(table.get(U16, at + SplitRingLayout.DESC_NEXT));
            if ((flags & SplitRingLayout.DESC_F_INDIRECT) != 0) {
                if (!indirect || nested || (flags & SplitRingLayout.DESC_F_NEXT) != 0 || len == 0
                        || len % SplitRingLayout.DESC_SIZE != 0 || len / SplitRingLayout.DESC_SIZE > budget) {
                    return Refusal.BAD_INDIRECT;
                }
                int r = memory.region(addr, len);
                if (r < 0) {
                    return Refusal.BAD_ADDRESS;
                }
                table = memory.segment(r);
                tableBase = memory.offset(r, addr);
                entries = (int) (len / SplitRingLayout.DESC_SIZE);
                nested = true;
                i = 0;
                continue;
            }
            if (--budget < 0) {
                return Refusal.BAD_CHAIN;
            }
            if (len > Integer.MAX_VALUE) {
                return Refusal.BAD_LENGTH;
            }
            int r = memory.region(addr, len);
            if (r < 0) {
                return Refusal.BAD_ADDRESS;
            }
            chain.add(r, memory.offset(r, addr), (int) len, (flags & SplitRingLayout.DESC_F_WRITE) != 0);
            if ((flags & SplitRingLayout.DESC_F_NEXT) == 0) {
                return null;
            }
            i = next;
        }
    }

    /**
     * Gives a chain back through the used ring; the driver sees it after {@link #publish()}.
     *
     * @param head    the chain's head
     * @param written bytes the device wrote into it
     */
    void push(int head, int written) {
        long at = layout.usedRingOffset(usedIdx);
        used.set(U32, at, head);
        used.set(U32, at + 4, written);
        usedIdx = (usedIdx + 1) & 0xffff;
        unpublished++;
    }

    /**
     * Makes the chains given back visible to the driver.
     *
     * @return whether to signal the driver (something was given back and it did not ask to be left
     *         alone with VRING_AVAIL_F_NO_INTERRUPT)
     */
    boolean publish() {
        if (unpublished == 0 || used == null) {
            return false;
        }
        unpublished = 0;
        SplitRingLayout.publishUsedIndex(used, usedIdx);
        VarHandle.fullFence(); // the driver's flags are read after it can see the new index
        return (avail.get(U16, (long) SplitRingLayout.AVAIL_FLAGS) & SplitRingLayout.AVAIL_F_NO_INTERRUPT) == 0;
    }

}
