package net.backend.vhostuser;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.IntConsumer;
import net.posix.Libc;
import net.posix.UnixStream;

/**
 * One vhost-user message, reused for every message of a connection: a 12-byte header (u32
 * request, u32 flags, u32 size), a payload of {@code size} bytes, and the descriptors that came
 * or go with it (SCM_RIGHTS). Little-endian, as the protocol is on the hosts Patchbay runs on.
 *
 * <p>Receiving: {@link #receive(int)} reads without blocking from the connection's socket (a
 * chardev's {@code ChardevPort.descriptor()}), keeps what a call got, and says when the message
 * is whole; it never reads past the message, so the next one's bytes and descriptors stay
 * queued. Then read the header and the payload with the typed accessors (check {@link #size()}
 * against the request's payload size first; bytes past it read as 0), and
 * {@linkplain #takeDescriptor take} the descriptors the request uses. Descriptors not taken are
 * closed when the next message starts, or by {@link #discard()} (call it when the connection
 * ends), so a peer that attaches descriptors to requests that take none leaks nothing.
 *
 * <p>Sending: start with {@link #request} or {@link #reply()}, write the payload with one of the
 * writers, {@link #attach} descriptors, then {@link #send(int)}. Building a message overwrites
 * the one received: read what you need from it first.
 *
 * <p>Use from one thread at a time (the connection's event loop); no allocation per message.
 */
final class VhostUserMessage {

    static final int HEADER_SIZE = 12;
    /** The largest payload accepted; a header announcing more is a protocol error. */
    static final int MAX_PAYLOAD = 4096;
    /** Descriptors kept from one message (QEMU's {@code VHOST_MEMORY_BASELINE_NREGIONS}); more are closed. */
    static final int MAX_FDS = 8;

    /** Flags: the protocol version (bits 0-1), a reply, a request that wants a reply (REPLY_ACK). */
    static final int VERSION = 0x1;
    static final int VERSION_MASK = 0x3;
    static final int REPLY = 0x4;
    static final int NEED_REPLY = 0x8;

    /** Payload sizes. */
    static final int U64_SIZE = 8;
    static final int VRING_STATE_SIZE = 8;
    static final int VRING_ADDRESS_SIZE = 40;
    static final int MEMORY_REGION_SIZE = 32;
    /** The most regions a SET_MEM_TABLE carries. */
    static final int MAX_REGIONS = 8;
    /** ADD_MEM_REG / REM_MEM_REG: u64 padding, then one region. */
    static final int SINGLE_REGION_SIZE = 8 + MEMORY_REGION_SIZE;

    /** SET_VRING_KICK/CALL/ERR's u64: the ring's index, and the bit saying no descriptor came. */
    static final long VRING_INDEX_MASK = 0xff;
    static final long VRING_NOFD = 0x100;

    /** SET_VRING_ADDR flags: log the used ring's writes. */
    static final int VRING_F_LOG = 0x1;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long REQUEST = 0;
    private static final long FLAGS = 4;
    private static final long SIZE = 8;
    private static final long REGIONS = HEADER_SIZE + 8;

    private final MemorySegment buffer;
    private final MemorySegment scratch;
    private final int[] received = new int[MAX_FDS];
    private int receivedCount;
    private final int[] attached = new int[MAX_FDS];
    private int attachedCount;
    private final IntConsumer keep = this::keep;
    /** Bytes of the incoming message read so far. */
    private int filled;
    private boolean whole;

    VhostUserMessage() {
        Arena arena = Arena.ofAuto();
        buffer = arena.allocate(HEADER_SIZE + MAX_PAYLOAD, 8);
        scratch = arena.allocate(UnixStream.SCRATCH_SIZE, 8);
    }

    // -- receiving ----------------------------------------------------------------------------------

    /**
     * Reads what the socket has of the message, without blocking. The first call after a whole
     * message starts the next one (closing the last one's descriptors not taken).
     *
     * @param socket the connection's socket
     * @return true when the message is whole; false when the socket has nothing more for now
     *         (call again when it is readable)
     * @throws EOFException when the peer closed the connection (mid-message too)
     * @throws IOException  when the header announces a payload larger than {@link #MAX_PAYLOAD},
     *                      or the receive fails; the caller ends the connection
     */
    boolean receive(int socket) throws IOException {
        if (whole) {
            discard();
        }
        while (true) {
            int want = filled < HEADER_SIZE ? HEADER_SIZE - filled : HEADER_SIZE + size() - filled;
            if (want == 0) {
                break;
            }
            long n = UnixStream.receiveNow(socket, buffer.asSlice(filled, want), scratch, keep);
            if (n == -Libc.EAGAIN) {
                return false;
            }
            if (n == 0) {
                throw new EOFException("vhost-user peer closed the connection");
            }
            if (n < 0) {
                throw Libc.error((int) -n);
            }
            filled += (int) n;
            if (filled == HEADER_SIZE && Integer.compareUnsigned(size(), MAX_PAYLOAD) > 0) {
                throw new IOException("vhost-user message " + requestCode() + " too big: size "
                        + Integer.toUnsignedString(size()) + ", at most " + MAX_PAYLOAD);
            }
        }
        buffer.asSlice(HEADER_SIZE + size()).fill((byte) 0); // stale bytes of earlier messages read as 0
        whole = true;
        return true;
    }

    private void keep(int fd) {
        if (receivedCount < MAX_FDS) {
            received[receivedCount++] = fd;
        } else {
            Libc.close(fd);
        }
    }

    /**
     * Forgets the message: closes the descriptors it brought that were not taken, and readies
     * for the next one. Call it when the connection ends (the message may be half read).
     */
    void discard() {
        for (int i = 0; i < receivedCount; i++) {
            if (received[i] >= 0) {
                Libc.close(received[i]);
            }
        }
        receivedCount = 0;
        filled = 0;
        whole = false;
    }

    /** @return how many descriptors came with the message (at most {@link #MAX_FDS}) */
    int descriptorCount() {
        return receivedCount;
    }

    /**
     * Takes a descriptor that came with the message: from now on the caller closes it.
     *
     * @param index 0 .. {@link #descriptorCount()} - 1
     * @return the descriptor, or -1 when there is none at that index or it was taken already
     */
    int takeDescriptor(int index) {
        if (index < 0 || index >= receivedCount) {
            return -1;
        }
        int fd = received[index];
        received[index] = -1;
        return fd;
    }

    // -- header -------------------------------------------------------------------------------------

    /** @return the request, or null for a number this protocol version does not define */
    VhostUserRequest request() {
        return VhostUserRequest.of(requestCode());
    }

    /** @return the request's number as it came */
    int requestCode() {
        return buffer.get(U32, REQUEST);
    }

    /** @return the flags word */
    int flags() {
        return buffer.get(U32, FLAGS);
    }

    /** @return the protocol version in the flags (1 is the only one) */
    int version() {
        return flags() & VERSION_MASK;
    }

    /** @return whether the message is a reply */
    boolean isReply() {
        return (flags() & REPLY) != 0;
    }

    /** @return whether the sender asks for a reply (REPLY_ACK negotiated) */
    boolean needsReply() {
        return (flags() & NEED_REPLY) != 0;
    }

    /** @return the payload's size in bytes (at most {@link #MAX_PAYLOAD} once received) */
    int size() {
        return buffer.get(U32, SIZE);
    }

    // -- payload, read ------------------------------------------------------------------------------

    /** @return the payload as a u64 (features, a reply's status, SET_VRING_KICK's index and NOFD bit) */
    long u64() {
        return buffer.get(U64, HEADER_SIZE);
    }

    /** @return a vring state's or a vring address's ring index */
    int vringIndex() {
        return buffer.get(U32, HEADER_SIZE);
    }

    /**
     * @return a vring state's num: the ring's size (SET_VRING_NUM), its next available index
     *         (SET_VRING_BASE, GET_VRING_BASE's reply), enabled or not (SET_VRING_ENABLE)
     */
    int vringNum() {
        return buffer.get(U32, HEADER_SIZE + 4);
    }

    /** @return a vring address's flags ({@link #VRING_F_LOG}) */
    int vringFlags() {
        return buffer.get(U32, HEADER_SIZE + 4);
    }

    /** @return a vring address's descriptor table, in the front end's virtual addresses */
    long vringDescAddress() {
        return buffer.get(U64, HEADER_SIZE + 8);
    }

    /** @return a vring address's used ring, in the front end's virtual addresses */
    long vringUsedAddress() {
        return buffer.get(U64, HEADER_SIZE + 16);
    }

    /** @return a vring address's available ring, in the front end's virtual addresses */
    long vringAvailAddress() {
        return buffer.get(U64, HEADER_SIZE + 24);
    }

    /** @return a vring address's log address (guest-physical), used with {@link #VRING_F_LOG} */
    long vringLogAddress() {
        return buffer.get(U64, HEADER_SIZE + 32);
    }

    /** @return a memory table's region count as sent (check it against {@link #MAX_REGIONS}) */
    int regionCount() {
        return buffer.get(U32, HEADER_SIZE);
    }

    /**
     * @param index a region, 0 .. {@link #MAX_REGIONS} - 1; an ADD_MEM_REG or REM_MEM_REG's one
     *              region is region 0
     * @return its guest-physical address
     */
    long regionGuestAddress(int index) {
        return buffer.get(U64, region(index));
    }

    /** @return region {@code index}'s size in bytes */
    long regionSize(int index) {
        return buffer.get(U64, region(index) + 8);
    }

    /** @return region {@code index}'s address in the front end's virtual memory (userspace_addr) */
    long regionUserAddress(int index) {
        return buffer.get(U64, region(index) + 16);
    }

    /** @return where region {@code index} starts in its descriptor's file (mmap_offset) */
    long regionMmapOffset(int index) {
        return buffer.get(U64, region(index) + 24);
    }

    private static long region(int index) {
        return REGIONS + (long) MEMORY_REGION_SIZE * Objects.checkIndex(index, MAX_REGIONS);
    }

    // -- building -----------------------------------------------------------------------------------

    /**
     * Starts a request with no payload and no descriptors.
     *
     * @param request what
     * @return this
     */
    VhostUserMessage request(VhostUserRequest request) {
        return header(request.code(), VERSION);
    }

    /**
     * Turns the message received into its reply: the same request, the REPLY flag, no payload.
     *
     * @return this
     */
    VhostUserMessage reply() {
        return header(requestCode(), VERSION | REPLY);
    }

    private VhostUserMessage header(int code, int flags) {
        buffer.set(U32, REQUEST, code);
        buffer.set(U32, FLAGS, flags);
        buffer.set(U32, SIZE, 0);
        attachedCount = 0;
        return this;
    }

    /**
     * Asks the back end to acknowledge the request with a u64 (REPLY_ACK negotiated).
     *
     * @return this
     */
    VhostUserMessage needReply() {
        buffer.set(U32, FLAGS, flags() | NEED_REPLY);
        return this;
    }

    /** @return this, with a u64 payload */
    VhostUserMessage u64(long value) {
        buffer.set(U64, HEADER_SIZE, value);
        return payload(U64_SIZE);
    }

    /** @return this, with a vring state payload */
    VhostUserMessage vringState(int index, int num) {
        buffer.set(U32, HEADER_SIZE, index);
        buffer.set(U32, HEADER_SIZE + 4, num);
        return payload(VRING_STATE_SIZE);
    }

    /**
     * @param desc  the descriptor table, in this process's virtual addresses
     * @param used  the used ring, likewise
     * @param avail the available ring, likewise
     * @param log   the log address (guest-physical), 0 without {@link #VRING_F_LOG}
     * @return this, with a vring address payload
     */
    VhostUserMessage vringAddress(int index, int flags, long desc, long used, long avail, long log) {
        buffer.set(U32, HEADER_SIZE, index);
        buffer.set(U32, HEADER_SIZE + 4, flags);
        buffer.set(U64, HEADER_SIZE + 8, desc);
        buffer.set(U64, HEADER_SIZE + 16, used);
        buffer.set(U64, HEADER_SIZE + 24, avail);
        buffer.set(U64, HEADER_SIZE + 32, log);
        return payload(VRING_ADDRESS_SIZE);
    }

    /**
     * Starts a memory table of {@code count} regions; set each with {@link #memoryRegion} and
     * attach each region's descriptor, in order.
     *
     * @param count 1 .. {@link #MAX_REGIONS}
     * @return this
     */
    VhostUserMessage memoryTable(int count) {
        Objects.checkIndex(count - 1, MAX_REGIONS);
        buffer.set(U32, HEADER_SIZE, count);
        buffer.set(U32, HEADER_SIZE + 4, 0);
        return payload(8 + MEMORY_REGION_SIZE * count);
    }

    /**
     * Sets region {@code index} of a memory table (or, index 0, an ADD_MEM_REG's or REM_MEM_REG's).
     *
     * @param guestAddress its guest-physical address
     * @param size         its size in bytes
     * @param userAddress  its address in this process's virtual memory
     * @param mmapOffset   where it starts in its descriptor's file
     * @return this
     */
    VhostUserMessage memoryRegion(int index, long guestAddress, long size, long userAddress, long mmapOffset) {
        long at = region(index);
        buffer.set(U64, at, guestAddress);
        buffer.set(U64, at + 8, size);
        buffer.set(U64, at + 16, userAddress);
        buffer.set(U64, at + 24, mmapOffset);
        return this;
    }

    /**
     * Starts an ADD_MEM_REG or REM_MEM_REG payload; set the region with {@code memoryRegion(0, ...)}.
     *
     * @return this
     */
    VhostUserMessage singleRegion() {
        buffer.set(U64, HEADER_SIZE, 0L);
        return payload(SINGLE_REGION_SIZE);
    }

    /**
     * Attaches a descriptor to the message; the caller keeps its own (the peer gets a copy).
     *
     * @param fd the descriptor
     * @return this
     * @throws IllegalStateException when {@link #MAX_FDS} are attached already
     */
    VhostUserMessage attach(int fd) {
        if (attachedCount == MAX_FDS) {
            throw new IllegalStateException("at most " + MAX_FDS + " descriptors per vhost-user message");
        }
        attached[attachedCount++] = fd;
        return this;
    }

    private VhostUserMessage payload(int size) {
        buffer.set(U32, SIZE, size);
        return this;
    }

    /**
     * Sends the message built, with its descriptors, without blocking. A control message that
     * does not fit in the socket's buffer at once means a peer that stopped reading.
     *
     * @param socket the connection's socket
     * @throws IOException when the message could not be sent whole (the socket is full, the peer
     *                     is gone): the caller ends the connection, as a part may have gone
     */
    void send(int socket) throws IOException {
        int length = HEADER_SIZE + size();
        long n = UnixStream.sendNow(socket, buffer.asSlice(0, length), attached, attachedCount, scratch);
        if (n == length) {
            return;
        }
        if (n >= 0 || n == -Libc.EAGAIN) {
            throw new IOException("vhost-user peer does not read: " + (n > 0 ? n : 0) + " of " + length
                    + " bytes of " + requestName() + " sent");
        }
        throw Libc.error((int) -n);
    }

    private String requestName() {
        VhostUserRequest request = request();
        return request != null ? request.name() : "request " + requestCode();
    }

    @Override
    public String toString() {
        return requestName() + " flags 0x" + Integer.toHexString(flags()) + " size " + Integer.toUnsignedString(size())
                + " fds " + receivedCount;
    }
}
