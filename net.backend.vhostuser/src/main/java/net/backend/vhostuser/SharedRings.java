package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.MappedRegion;
import net.posix.Memfd;
import net.posix.PosixException;

/**
 * The memory the front end shares with its back end, as QEMU shares guest RAM: one memfd holding
 * every queue's rings and buffers, mapped here, passed whole with SET_MEM_TABLE as one region
 * whose guest-physical and user-space addresses are both this process's address of it. Each
 * queue has its kick and call eventfds. Queues 0, 2, ... receive; 1, 3, ... transmit.
 */
final class SharedRings implements AutoCloseable {

    private static final long PAGE = 4096;

    private final int memfd;
    private final MappedRegion region;
    private final DriverQueue[] queues;
    private final int[] kick;
    private final int[] call;

    private SharedRings(int memfd, MappedRegion region, DriverQueue[] queues, int[] kick, int[] call) {
        this.memfd = memfd;
        this.region = region;
        this.queues = queues;
        this.kick = kick;
        this.call = call;
    }

    /**
     * @param pairs      queue pairs
     * @param size       each queue's size
     * @param bufferSize each descriptor's buffer
     */
    static SharedRings create(String name, int pairs, int size, int bufferSize) throws PosixException {
        int count = 2 * pairs;
        long ringStride = align(DriverQueue.ringBytes(size), PAGE);
        long buffersAt = ringStride * count;
        long bytes = buffersAt + (long) count * size * bufferSize;
        int memfd = Memfd.create(name, bytes);
        MappedRegion region = null;
        int[] kick = new int[count];
        int[] call = new int[count];
        try {
            region = MappedRegion.map(memfd, 0, bytes);
            MemorySegment memory = region.segment();
            DriverQueue[] queues = new DriverQueue[count];
            for (int q = 0; q < count; q++) {
                queues[q] = new DriverQueue(memory, memory.address(), size, ringStride * q,
                        buffersAt + (long) q * size * bufferSize, bufferSize);
                kick[q] = EventFd.create();
                call[q] = EventFd.create();
            }
            return new SharedRings(memfd, region, queues, kick, call);
        } catch (PosixException | RuntimeException e) {
            closeAll(kick);
            closeAll(call);
            if (region != null) {
                region.close();
            }
            Libc.close(memfd);
            throw e;
        }
    }

    /** @return the memfd, to pass with SET_MEM_TABLE */
    int memfd() {
        return memfd;
    }

    /** @return the region's address here: its guest_phys_addr and userspace_addr in the memory table */
    long address() {
        return region.segment().address();
    }

    /** @return the region's size */
    long size() {
        return region.size();
    }

    /** @return how many queues (twice the pairs) */
    int count() {
        return queues.length;
    }

    DriverQueue queue(int index) {
        return queues[index];
    }

    /** @return the eventfd the front end signals when queue {@code index} has new buffers */
    int kick(int index) {
        return kick[index];
    }

    /** @return the eventfd the back end signals when queue {@code index} has used buffers */
    int call(int index) {
        return call[index];
    }

    /** Forgets every chain and indices of every queue, for a new back end. */
    void reset() {
        for (DriverQueue q : queues) {
            q.reset();
        }
    }

    @Override
    public void close() {
        closeAll(kick);
        closeAll(call);
        region.close();
        Libc.close(memfd);
    }

    private static void closeAll(int[] fds) {
        for (int i = 0; i < fds.length; i++) {
            if (fds[i] > 0) {
                Libc.close(fds[i]);
                fds[i] = 0;
            }
        }
    }

    private static long align(long n, long to) {
        return (n + to - 1) / to * to;
    }
}
