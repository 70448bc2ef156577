package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;

/**
 * The front end's memory as the back end sees it ({@code VHOST_USER_SET_MEM_TABLE}): up to eight
 * regions, each known by its guest-physical address (descriptors point there) and by its address
 * in the front end's process (where {@code VHOST_USER_SET_VRING_ADDR} points), each mapped here as
 * one segment. Every lookup checks the whole range, so an address a peer makes up is refused rather
 * than read.
 */
final class GuestMemory {

    /** The most regions a memory table carries ({@code VHOST_MEMORY_BASELINE_NREGIONS}). */
    static final int MAX_REGIONS = 8;

    private final long[] guestPhys = new long[MAX_REGIONS];
    private final long[] sizes = new long[MAX_REGIONS];
    private final long[] userAddrs = new long[MAX_REGIONS];
    private final MemorySegment[] segments = new MemorySegment[MAX_REGIONS];
    private final AutoCloseable[] owners = new AutoCloseable[MAX_REGIONS];
    private int count;

    /**
     * Adds a region.
     *
     * @param gpa     its guest-physical address
     * @param uva     its address in the front end's process
     * @param segment its bytes here, {@code memory_size} long
     * @param owner   closed when the region goes (the mapping), or null
     * @throws IllegalStateException when eight regions are there already
     */
    void add(long gpa, long uva, MemorySegment segment, AutoCloseable owner) {
        if (count == MAX_REGIONS) {
            throw new IllegalStateException("more than " + MAX_REGIONS + " regions");
        }
        guestPhys[count] = gpa;
        userAddrs[count] = uva;
        sizes[count] = segment.byteSize();
        segments[count] = segment;
        owners[count] = owner;
        count++;
    }

    /** Forgets every region and closes its owner (unmaps it). */
    void clear() {
        for (int i = 0; i < count; i++) {
            AutoCloseable owner = owners[i];
            segments[i] = null;
            owners[i] = null;
            if (owner != null) {
                try {
                    owner.close();
                } catch (Exception e) {
                    // an unmap that fails leaves nothing this side can do; the segment is forgotten
                }
            }
        }
        count = 0;
    }

    /**
     * @param gpa    a guest-physical address, unsigned
     * @param length bytes from there, unsigned 32 bits
     * @return the region holding all of them, or -1
     */
    int region(long gpa, long length) {
        return find(guestPhys, gpa, length);
    }

    /** @return the offset of {@code gpa} in region {@code r}'s segment */
    long offset(int r, long gpa) {
        return gpa - guestPhys[r];
    }

    MemorySegment segment(int r) {
        return segments[r];
    }

    /**
     * @param uva    an address in the front end's process
     * @param length bytes from there
     * @return those bytes as a slice of their region, or null when no region holds them all
     */
    MemorySegment userRange(long uva, long length) {
        int r = find(userAddrs, uva, length);
        return r < 0 ? null : segments[r].asSlice(uva - userAddrs[r], length);
    }

    private int find(long[] starts, long address, long length) {
        for (int r = 0; r < count; r++) {
            long from = address - starts[r];
            // unsigned: below the start wraps to huge; the end must not pass the region's
            if (Long.compareUnsigned(from, sizes[r]) < 0 && Long.compareUnsigned(length, sizes[r] - from) <= 0) {
                return r;
            }
        }
        return -1;
    }
}
