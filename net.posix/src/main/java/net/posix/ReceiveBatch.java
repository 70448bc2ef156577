package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Datagrams received together: one {@code recvmmsg(2)} fills up to {@link #slots()} slots, each
 * with room for the largest datagram expected, which the caller then takes one by one. The slots
 * are one anonymous mapping, so a page takes memory only once a datagram has been written there:
 * small datagrams cost a page per slot, however large the room.
 *
 * <p>The memory is allocated once, when the batch is made, and freed by {@link #close()}; nothing
 * is allocated per datagram. Use it from one thread.
 *
 * <pre>{@code
 * int n = batch.receive(fd);           // datagrams received, 0 when none waits, -errno
 * for (int i = 0; i < n; i++) batch.copy(i, buffer);
 * }</pre>
 */
public final class ReceiveBatch implements AutoCloseable {

    private static final long MMSGHDR = 64;
    private static final long IOVEC = 16;
    private static final long PAGE = 4096;

    private final int slots;
    private final int slotSize;
    /** The distance between slots, whole pages. */
    private final long stride;
    private final MappedRegion region;
    private final ByteBuffer data;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment messages;

    /**
     * @param slots    datagrams per receive (1 to 1024)
     * @param slotSize room per datagram: a longer one is cut there, {@link #length} still tells
     *                 its whole length
     * @throws PosixException when the memory cannot be mapped
     */
    public ReceiveBatch(int slots, int slotSize) throws PosixException {
        if (slots < 1 || slots > 1024 || slotSize < 1) {
            throw new IllegalArgumentException("slots " + slots + ", slot size " + slotSize);
        }
        this.slots = slots;
        this.slotSize = slotSize;
        this.stride = (slotSize + PAGE - 1) / PAGE * PAGE;
        if (stride * slots > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("slots " + slots + " of " + slotSize + " bytes: too large");
        }
        this.region = MappedRegion.anonymous(stride * slots);
        this.data = region.segment().asByteBuffer();
        this.messages = arena.allocate(MMSGHDR * slots, 8);
        MemorySegment iov = arena.allocate(IOVEC * slots, 8);
        long base = region.segment().address();
        for (int i = 0; i < slots; i++) {
            iov.set(JAVA_LONG, i * IOVEC, base + i * stride);
            iov.set(JAVA_LONG, i * IOVEC + 8, slotSize);
            messages.set(JAVA_LONG, i * MMSGHDR + 16, iov.address() + i * IOVEC);
            messages.set(JAVA_LONG, i * MMSGHDR + 24, 1);
        }
    }

    /** @return the most datagrams one {@link #receive} takes */
    public int slots() {
        return slots;
    }

    /**
     * Receives what is waiting, up to {@link #slots()} datagrams, without blocking; the datagrams
     * of the previous receive are gone.
     *
     * @param fd a datagram socket
     * @return datagrams received, 0 when none was waiting ({@code EAGAIN}), or {@code -errno}
     */
    public int receive(int fd) {
        int n = Libc.receiveMessages(fd, messages, slots, Libc.MSG_DONTWAIT | Libc.MSG_TRUNC);
        return n == -Libc.EAGAIN ? 0 : n;
    }

    /**
     * @param i a datagram of the last receive
     * @return its whole length, also when it was longer than a slot
     */
    public int length(int i) {
        return messages.get(JAVA_INT, i * MMSGHDR + 56);
    }

    /**
     * Copies a datagram (as much of it as a slot held) to {@code dst}'s position, moving it on.
     *
     * @param i   a datagram of the last receive
     * @param dst where to; it must have room
     */
    public void copy(int i, ByteBuffer dst) {
        int length = Math.min(length(i), slotSize);
        dst.put(dst.position(), data, (int) (i * stride), length);
        dst.position(dst.position() + length);
    }

    /** Frees the memory; the batch must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
        region.close();
    }
}
