package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Where the parts of a split virtqueue of N entries lie (virtio 1.x, "Split Virtqueues"): the
 * descriptor table (N × {u64 addr, u32 len, u16 flags, u16 next}), the available ring (u16
 * flags, u16 idx, u16 ring[N], u16 used_event) and the used ring (u16 flags, u16 idx, {u32 id,
 * u32 len} ring[N], u16 avail_event), with the offsets of their fields, the legal sizes, and the
 * ordered reads and writes of the two indexes through which driver and device hand entries over.
 * Both roles use it: the front end to place and fill the rings, the back end to check and walk
 * the rings a guest placed.
 *
 * <p>Fields are little-endian (virtio 1.x); the hosts Patchbay runs on are too, so native-order
 * layouts read them.
 */
final class SplitRingLayout {

    /** The largest queue size of a split ring. */
    static final int MAX_SIZE = 32768;

    /** A descriptor: its size and its fields' offsets. */
    static final int DESC_SIZE = 16;
    static final int DESC_ADDR = 0;
    static final int DESC_LEN = 8;
    static final int DESC_FLAGS = 12;
    static final int DESC_NEXT = 14;
    /** Descriptor flags: the chain goes on at {@code next}; the device writes the buffer; an indirect table. */
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;

    /** The available ring's fields. */
    static final int AVAIL_FLAGS = 0;
    static final int AVAIL_IDX = 2;
    static final int AVAIL_RING = 4;
    /** The driver asks for no interrupt (call) when the device uses buffers. */
    static final int AVAIL_F_NO_INTERRUPT = 1;

    /** The used ring's fields; an element is {u32 id, u32 len}. */
    static final int USED_FLAGS = 0;
    static final int USED_IDX = 2;
    static final int USED_RING = 4;
    static final int USED_ELEM_SIZE = 8;
    /** The device asks for no notification (kick) when the driver adds buffers. */
    static final int USED_F_NO_NOTIFY = 1;

    /** Alignments virtio requires of the three parts' addresses. */
    static final int DESC_ALIGN = 16;
    static final int AVAIL_ALIGN = 2;
    static final int USED_ALIGN = 4;
    /**
     * Where {@link #usedOffset()} places the used ring in a {@linkplain #totalSize() contiguous}
     * layout: a cache line of its own, since the device writes it while the driver writes the
     * available ring.
     */
    private static final int CONTIGUOUS_USED_ALIGN = 64;

    /** Aligned native-order u16 access: the acquire/release modes need aligned addresses. */
    private static final VarHandle U16 = ValueLayout.JAVA_SHORT.varHandle();

    private final int size;

    private SplitRingLayout(int size) {
        this.size = size;
    }

    /**
     * @param size a queue size a front end asks for (SET_VRING_NUM)
     * @return whether a split ring may have it: a power of two from 1 to {@link #MAX_SIZE}
     */
    static boolean isValidSize(int size) {
        return size > 0 && size <= MAX_SIZE && (size & (size - 1)) == 0;
    }

    /**
     * @param size the queue size
     * @return its layout
     * @throws IllegalArgumentException when the size is not {@linkplain #isValidSize valid}
     */
    static SplitRingLayout of(int size) {
        if (!isValidSize(size)) {
            throw new IllegalArgumentException("invalid virtqueue size " + size);
        }
        return new SplitRingLayout(size);
    }

    /**
     * @return whether three addresses a front end gave (SET_VRING_ADDR) have the alignments virtio
     *         requires ({@link #DESC_ALIGN}, {@link #AVAIL_ALIGN}, {@link #USED_ALIGN})
     */
    static boolean isAligned(long desc, long avail, long used) {
        return (desc & (DESC_ALIGN - 1)) == 0 && (avail & (AVAIL_ALIGN - 1)) == 0 && (used & (USED_ALIGN - 1)) == 0;
    }

    /** @return N, the number of entries */
    int size() {
        return size;
    }

    /** @return the descriptor table's size in bytes, 16·N */
    long descTableSize() {
        return (long) DESC_SIZE * size;
    }

    /** @return the available ring's size in bytes with used_event, 6 + 2·N */
    long availSize() {
        return AVAIL_RING + 2L * size + 2;
    }

    /** @return the used ring's size in bytes with avail_event, 6 + 8·N */
    long usedSize() {
        return USED_RING + (long) USED_ELEM_SIZE * size + 2;
    }

    /** @return descriptor {@code index}'s offset in the descriptor table (index taken modulo N) */
    long descOffset(int index) {
        return (long) DESC_SIZE * (index & (size - 1));
    }

    /** @return the offset of the available ring's entry for a free-running index (taken modulo N) */
    long availRingOffset(int index) {
        return AVAIL_RING + 2L * (index & (size - 1));
    }

    /** @return used_event's offset in the available ring */
    long usedEventOffset() {
        return AVAIL_RING + 2L * size;
    }

    /** @return the offset of the used ring's element for a free-running index (taken modulo N) */
    long usedRingOffset(int index) {
        return USED_RING + (long) USED_ELEM_SIZE * (index & (size - 1));
    }

    /** @return avail_event's offset in the used ring */
    long availEventOffset() {
        return USED_RING + (long) USED_ELEM_SIZE * size;
    }

    // -- one contiguous block, as a front end places its rings ---------------------------------------

    /** @return where the available ring starts in a contiguous block (after the descriptor table) */
    long availOffset() {
        return descTableSize();
    }

    /** @return where the used ring starts in a contiguous block (after the available ring, 64-aligned) */
    long usedOffset() {
        return align(availOffset() + availSize(), CONTIGUOUS_USED_ALIGN);
    }

    /** @return the size of a contiguous block holding all three parts (from a 64-aligned start) */
    long totalSize() {
        return usedOffset() + usedSize();
    }

    private static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    // -- the indexes, with the ordering that hands entries over -------------------------------------

    /**
     * Reads the available ring's idx with acquire semantics: the ring entries and descriptors
     * the driver wrote before publishing it are visible once it is read.
     *
     * @param avail the available ring (2-aligned)
     * @return idx, 0..65535 (free-running)
     */
    static int availIndex(MemorySegment avail) {
        return Short.toUnsignedInt((short) U16.getAcquire(avail, (long) AVAIL_IDX));
    }

    /**
     * Publishes the available ring's idx with release semantics, after the ring entries and
     * descriptors it covers were written.
     *
     * @param avail the available ring (2-aligned)
     * @param index the new idx (taken modulo 65536)
     */
    static void publishAvailIndex(MemorySegment avail, int index) {
        U16.setRelease(avail, (long) AVAIL_IDX, (short) index);
    }

    /**
     * Reads the used ring's idx with acquire semantics (the front end reaping used entries).
     *
     * @param used the used ring (4-aligned)
     * @return idx, 0..65535 (free-running)
     */
    static int usedIndex(MemorySegment used) {
        return Short.toUnsignedInt((short) U16.getAcquire(used, (long) USED_IDX));
    }

    /**
     * Publishes the used ring's idx with release semantics, after the used elements (and the
     * buffers' contents) it covers were written.
     *
     * @param used  the used ring (4-aligned)
     * @param index the new idx (taken modulo 65536)
     */
    static void publishUsedIndex(MemorySegment used, int index) {
        U16.setRelease(used, (long) USED_IDX, (short) index);
    }

    @Override
    public String toString() {
        return "split ring of " + size;
    }
}
