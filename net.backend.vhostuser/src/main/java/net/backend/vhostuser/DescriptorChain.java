package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;

/**
 * One popped descriptor chain, resolved: where each of its buffers lies in the mapped guest memory
 * and whether the device may write it. Reused for every chain of a queue, so popping allocates
 * nothing; a chain is at most as long as its queue (the virtio rule for direct and indirect
 * descriptors together).
 */
final class DescriptorChain {

    private final GuestMemory memory;
    private final int[] regions;
    private final long[] offsets;
    private final int[] lengths;
    private final boolean[] writable;
    private int count;
    private int head;

    /**
     * @param memory   where the buffers lie
     * @param capacity the longest chain (the queue's size)
     */
    DescriptorChain(GuestMemory memory, int capacity) {
        this.memory = memory;
        regions = new int[capacity];
        offsets = new long[capacity];
        lengths = new int[capacity];
        writable = new boolean[capacity];
    }

    void reset(int head) {
        this.head = head;
        count = 0;
    }

    /** @return false when the chain is as long as it may be already */
    boolean add(int region, long offset, int length, boolean deviceWritable) {
        if (count == regions.length) {
            return false;
        }
        regions[count] = region;
        offsets[count] = offset;
        lengths[count] = length;
        writable[count] = deviceWritable;
        count++;
        return true;
    }

    /** @return the index of the chain's first descriptor, what the used ring gives back */
    int head() {
        return head;
    }

    /** @return the bytes of the device-readable buffers */
    long readable() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            if (!writable[i]) {
                sum += lengths[i];
            }
        }
        return sum;
    }

    /** @return the bytes of the device-writable buffers */
    long writable() {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            if (writable[i]) {
                sum += lengths[i];
            }
        }
        return sum;
    }

    /**
     * Copies the device-readable bytes, after the first {@code skip}, to {@code dst}.
     *
     * @return the bytes copied; the caller made sure {@code dst} has room for {@link #readable()}
     */
    int gather(int skip, MemorySegment dst, long dstOffset) {
        long at = dstOffset;
        long toSkip = skip;
        for (int i = 0; i < count; i++) {
            if (writable[i]) {
                continue;
            }
            long len = lengths[i];
            long from = Math.min(toSkip, len);
            toSkip -= from;
            if (len > from) {
                MemorySegment.copy(memory.segment(regions[i]), offsets[i] + from, dst, at, len - from);
                at += len - from;
            }
        }
        return (int) (at - dstOffset);
    }

    /**
     * Copies bytes into the device-writable buffers, starting {@code skip} bytes into them.
     *
     * @return the bytes copied: {@code length}, or fewer when the buffers end first
     */
    int scatter(int skip, MemorySegment src, long srcOffset, int length) {
        long toSkip = skip;
        int done = 0;
        for (int i = 0; i < count && done < length; i++) {
            if (!writable[i]) {
                continue;
            }
            long len = lengths[i];
            long from = Math.min(toSkip, len);
            toSkip -= from;
            long n = Math.min(len - from, length - done);
            if (n > 0) {
                MemorySegment.copy(src, srcOffset + done, memory.segment(regions[i]), offsets[i] + from, n);
                done += (int) n;
            }
        }
        return done;
    }
}
