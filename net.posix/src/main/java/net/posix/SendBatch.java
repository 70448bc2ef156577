package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Datagrams gathered to go to one destination together: one {@code sendmmsg(2)} for the batch,
 * and with UDP GSO each run of equal-size datagrams as one message with a {@code UDP_SEGMENT}
 * size, which the kernel cuts into ordinary datagrams again (all of the run's size, the last one
 * may be shorter). A socket or path that refuses GSO ({@code EIO}, {@code EINVAL}: an older kernel,
 * a device without checksum offload, a segment above the path's MTU) is sent to one datagram per
 * message from then on.
 *
 * <p>The memory (the datagrams' bytes, the message headers) is allocated once, when the batch is
 * made, and freed by {@link #close()}; nothing is allocated per datagram. Use it from one thread.
 *
 * <pre>{@code
 * batch.target(remote);               // once; null on a connected socket
 * if (!batch.add(frame)) { ... }      // full: send first
 * int n = batch.send(fd);             // datagrams sent, 0 when the socket has no room, -errno
 * }</pre>
 */
public final class SendBatch implements AutoCloseable {

    /** The most datagrams one batch holds; also the most GSO segments of one message (older kernels' limit). */
    public static final int MAX_DATAGRAMS = 64;
    /** Room for the datagrams' bytes: two of the largest UDP datagrams. */
    static final int CAPACITY = 2 * 65536;
    /** The most bytes one GSO message carries: the largest UDP payload over IPv4. */
    static final int MAX_GSO_BYTES = 65507;

    private static final long MMSGHDR = 64;
    private static final long IOVEC = 16;
    /** {@code CMSG_SPACE(sizeof(uint16_t))}: a {@code cmsghdr} and its value, aligned. */
    private static final long CMSG_SPACE = 24;
    private static final long CMSG_LEN = 18;

    private final Arena arena = Arena.ofShared();
    /** Mapped, not allocated: a page takes memory once touched (small frames use the first few). */
    private final MappedRegion region;
    private final MemorySegment data;
    /** The same bytes as a buffer, so that a frame is copied in without a segment per frame. */
    private final ByteBuffer dataBuffer;
    private final MemorySegment messages = arena.allocate(MMSGHDR * MAX_DATAGRAMS, 8);
    private final MemorySegment iov = arena.allocate(IOVEC * MAX_DATAGRAMS, 8);
    private final MemorySegment control = arena.allocate(CMSG_SPACE * MAX_DATAGRAMS, 8);
    private final MemorySegment address = arena.allocate(SocketAddresses.STORAGE, 8);
    private int addressLength;
    /** Where each datagram starts in {@link #data}, and its length. */
    private final int[] offsets = new int[MAX_DATAGRAMS];
    private final int[] lengths = new int[MAX_DATAGRAMS];
    /** How many datagrams each message of the last send carried. */
    private final int[] carried = new int[MAX_DATAGRAMS];
    /** The first datagram not sent yet, the count held, the end of the bytes held. */
    private int head;
    private int count;
    private int end;
    private boolean gso;
    /** Datagrams at the head to send one per message (a GSO message of theirs failed). */
    private int plain;

    /**
     * @param gso whether to send runs of equal-size datagrams as GSO messages (UDP sockets only:
     *            any other socket would take such a message as one datagram)
     * @throws PosixException when the memory cannot be mapped
     */
    public SendBatch(boolean gso) throws PosixException {
        this.gso = gso;
        this.region = MappedRegion.anonymous(CAPACITY);
        this.data = region.segment();
        this.dataBuffer = data.asByteBuffer();
    }

    /**
     * Sets where every datagram goes.
     *
     * @param target an address, or null for a connected socket's peer
     * @throws PosixException when the address is of a family this package cannot encode
     */
    public void target(SocketAddress target) throws PosixException {
        addressLength = target == null ? 0 : SocketAddresses.encode(target, address);
    }

    /**
     * Copies a datagram in after the others.
     *
     * @param datagram its bytes between position and limit (not moved), at most 65 536
     * @return false when the batch has no room for it (send first)
     */
    public boolean add(ByteBuffer datagram) {
        int length = datagram.remaining();
        if (count == MAX_DATAGRAMS || end + length > CAPACITY) {
            return false;
        }
        dataBuffer.put(end, datagram, datagram.position(), length);
        offsets[count] = end;
        lengths[count] = length;
        count++;
        end += length;
        return true;
    }

    /** @return how many datagrams wait to be sent */
    public int size() {
        return count - head;
    }

    /** @return whether runs still go as GSO messages (false once the socket refused one) */
    public boolean gso() {
        return gso;
    }

    /**
     * Sends what is held, in order, with one {@code sendmmsg(2)}; what the socket does not take
     * stays for the next call.
     *
     * @param fd a non-blocking datagram socket
     * @return datagrams sent (all of them, or those before the socket ran out of room), 0 when
     *         the socket took nothing ({@code EAGAIN}: call again once it is writable), or
     *         {@code -errno} when the first datagram held failed: it is dropped, the rest stay
     */
    public int send(int fd) {
        int messageCount = prepare();
        if (messageCount == 0) {
            return 0;
        }
        int n = Libc.sendMessages(fd, messages, messageCount, 0);
        if (n >= 0) {
            int sent = 0;
            for (int i = 0; i < n; i++) {
                sent += carried[i];
            }
            consume(sent);
            return sent;
        }
        if (n == -Libc.EAGAIN) {
            return 0;
        }
        if (carried[0] > 1) {
            // The kernel refused the GSO message as a whole: send its datagrams one by one, so that
            // only one that itself fails is lost; EIO and EINVAL say GSO is not to be had here.
            if (n == -Libc.EIO || n == -Libc.EINVAL) {
                gso = false;
            } else {
                plain = carried[0];
            }
            return send(fd);
        }
        consume(1);
        return n;
    }

    /**
     * Sends with {@link #send(int)} until nothing is held or the socket takes no more.
     *
     * @param fd a non-blocking datagram socket
     * @return how many calls sent something; {@link #size()} is 0 afterwards unless the socket ran
     *         out of room ({@code EAGAIN}: call again once it is writable)
     * @throws PosixException when a datagram failed: it is dropped, those after it stay
     */
    public int sendAll(int fd) throws PosixException {
        int calls = 0;
        while (size() > 0) {
            int sent = send(fd);
            if (sent == 0) {
                break;
            }
            if (sent < 0) {
                throw Libc.error(-sent);
            }
            calls++;
        }
        return calls;
    }

    /** Frees the memory; the batch must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
        region.close();
    }

    /** Fills the message headers for the datagrams held, a GSO run per message where it may. */
    private int prepare() {
        int messageCount = 0;
        int plainLeft = plain;
        int next = head;
        while (next < count) {
            int first = next;
            int size = lengths[next];
            int bytes = size;
            next++;
            if (plainLeft > 0) {
                plainLeft--;
            } else if (gso && size > 0) {
                while (next < count && next - first < MAX_DATAGRAMS && lengths[next] <= size
                        && bytes + lengths[next] <= MAX_GSO_BYTES) {
                    bytes += lengths[next];
                    next++;
                    if (lengths[next - 1] < size) {
                        break; // a shorter datagram ends a run
                    }
                }
            }
            // Raw addresses, not slices: filling the headers allocates nothing.
            long message = messageCount * MMSGHDR;
            long vector = messageCount * IOVEC;
            iov.set(JAVA_LONG, vector, data.address() + offsets[first]);
            iov.set(JAVA_LONG, vector + 8, bytes);
            messages.set(JAVA_LONG, message, addressLength == 0 ? 0 : address.address());
            messages.set(JAVA_INT, message + 8, addressLength);
            messages.set(JAVA_LONG, message + 16, iov.address() + vector);
            messages.set(JAVA_LONG, message + 24, 1);
            int segments = next - first;
            if (segments > 1) {
                long cmsg = messageCount * CMSG_SPACE;
                control.set(JAVA_LONG, cmsg, CMSG_LEN);
                control.set(JAVA_INT, cmsg + 8, Libc.SOL_UDP);
                control.set(JAVA_INT, cmsg + 12, Libc.UDP_SEGMENT);
                control.set(JAVA_SHORT, cmsg + 16, (short) size);
                messages.set(JAVA_LONG, message + 32, control.address() + cmsg);
                messages.set(JAVA_LONG, message + 40, CMSG_SPACE);
            } else {
                messages.set(JAVA_LONG, message + 32, 0);
                messages.set(JAVA_LONG, message + 40, 0);
            }
            messages.set(JAVA_INT, message + 48, 0);
            carried[messageCount] = segments;
            messageCount++;
        }
        return messageCount;
    }

    private void consume(int datagrams) {
        head += datagrams;
        plain = Math.max(0, plain - datagrams);
        if (head == count) {
            head = 0;
            count = 0;
            end = 0;
        }
    }
}
