package net.backend.vhostuser;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.MappedRegion;
import net.posix.PosixException;
import net.posix.UnixStream;
import net.testlib.Await;

/**
 * QEMU's part of vhost-user played by a test: it connects to a back end's socket, owns the
 * "guest" memory (one memfd it passes with SET_MEM_TABLE), places and fills the split rings
 * itself, and so can put into them, or into its messages, whatever a malicious guest or front
 * end could. Guest-physical addresses start at {@link #GUEST_BASE}; the addresses it claims for
 * its own virtual memory (SET_VRING_ADDR) start at {@link #USER_BASE}.
 *
 * <p>Memory map: ring {@code i} at {@code i * RING_STRIDE}; buffers from {@link #BUFFERS}.
 */
final class HostileFrontEnd implements AutoCloseable {

    static final long MEMORY = 1 << 20;
    static final long GUEST_BASE = 0x4000_0000L;
    static final long USER_BASE = 0x7f12_3400_0000L;
    static final long RING_STRIDE = 0x1_0000;
    static final long BUFFERS = 0x8_0000;
    static final int BUFFER_SIZE = 2048;
    static final Duration REPLY = Duration.ofSeconds(10);
    private static final int ECONNRESET = 104;
    private static final MethodHandle FTRUNCATE = Libc.function("ftruncate",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MEMFD_CREATE = Libc.function("memfd_create",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final int MFD_CLOEXEC = 1;

    private final UnixStream socket;
    private final int memfd;
    private final MappedRegion memory;
    private final VhostUserMessage message = new VhostUserMessage();
    private final Ring[] rings = new Ring[4];

    /** One ring as the driver side sees it. */
    final class Ring {
        final int index;
        final SplitRingLayout layout;
        final MemorySegment desc;
        final MemorySegment avail;
        final MemorySegment used;
        final int kick;
        final int call;
        /** The driver's next available index (free-running). */
        int availIdx;

        private Ring(int index, int size) throws IOException {
            this.index = index;
            this.layout = SplitRingLayout.of(size);
            long base = index * RING_STRIDE;
            memory.segment().asSlice(base, RING_STRIDE).fill((byte) 0);
            this.desc = memory.segment().asSlice(base, layout.descTableSize());
            this.avail = memory.segment().asSlice(base + layout.availOffset(), layout.availSize());
            this.used = memory.segment().asSlice(base + layout.usedOffset(), layout.usedSize());
            this.kick = EventFd.create();
            this.call = EventFd.create();
        }

        /** @return the ring's guest-physical base (its descriptor table) */
        long guestBase() {
            return GUEST_BASE + index * RING_STRIDE;
        }

        /** Writes descriptor {@code i} as given, whatever it says. */
        Ring desc(int i, long guestAddress, int length, int flags, int next) {
            long at = (long) SplitRingLayout.DESC_SIZE * i;
            desc.set(JAVA_LONG_UNALIGNED, at + SplitRingLayout.DESC_ADDR, guestAddress);
            desc.set(JAVA_INT_UNALIGNED, at + SplitRingLayout.DESC_LEN, length);
            desc.set(JAVA_SHORT_UNALIGNED, at + SplitRingLayout.DESC_FLAGS, (short) flags);
            desc.set(JAVA_SHORT_UNALIGNED, at + SplitRingLayout.DESC_NEXT, (short) next);
            return this;
        }

        /** Makes the chain starting at descriptor {@code head} available and kicks. */
        Ring offer(int head) throws IOException {
            avail.set(JAVA_SHORT_UNALIGNED, layout.availRingOffset(availIdx), (short) head);
            SplitRingLayout.publishAvailIndex(avail, ++availIdx);
            EventFd.signal(kick);
            return this;
        }

        /** @return the used ring's idx as the back end left it */
        int usedIdx() {
            return SplitRingLayout.usedIndex(used);
        }

        /** @return used element {@code i}'s id (the chain's head) */
        int usedId(int i) {
            return used.get(JAVA_INT_UNALIGNED, layout.usedRingOffset(i));
        }

        /** @return used element {@code i}'s length (bytes the device wrote) */
        int usedLen(int i) {
            return used.get(JAVA_INT_UNALIGNED, layout.usedRingOffset(i) + 4);
        }
    }

    HostileFrontEnd(Path path) throws IOException {
        socket = UnixStream.connect(path);
        int fd = -1;
        MappedRegion mapped = null;
        try {
            fd = unsealedMemfd("vhost-user-test-guest", MEMORY);
            mapped = MappedRegion.map(fd, 0, MEMORY);
        } catch (IOException | RuntimeException e) {
            if (fd >= 0) {
                Libc.close(fd);
            }
            socket.close();
            throw e;
        }
        memfd = fd;
        memory = mapped;
    }

    /** @return the connection's descriptor, for messages built by hand */
    int fd() {
        return socket.fd();
    }

    /** @return the message object, to build one that lies ({@link #send()} sends it) */
    VhostUserMessage message() {
        return message;
    }

    /** @return the guest memory, to write frames and tables into */
    MemorySegment memory() {
        return memory.segment();
    }

    /** @return guest memory offset {@code offset} as a guest-physical address */
    static long guest(long offset) {
        return GUEST_BASE + offset;
    }

    /** @return buffer {@code n}'s offset in guest memory */
    static long buffer(int n) {
        return BUFFERS + (long) BUFFER_SIZE * n;
    }

    /**
     * A memory file without the seals {@link net.posix.Memfd} puts on its own, as a front end
     * that means harm shares it: one it can cut short afterwards.
     */
    private static int unsealedMemfd(String name, long size) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) MEMFD_CREATE.invokeExact(Libc.callState(), arena.allocateFrom(name), MFD_CLOEXEC);
            if (fd < 0) {
                throw Libc.error(Libc.errno(Libc.callState()));
            }
            if ((int) FTRUNCATE.invokeExact(Libc.callState(), fd, size) < 0) {
                int errno = Libc.errno(Libc.callState());
                Libc.close(fd);
                throw Libc.error(errno);
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Cuts the memory file to {@code size} bytes: pages past it fault for every process mapping them. */
    void truncate(long size) throws IOException {
        try {
            if ((int) FTRUNCATE.invokeExact(Libc.callState(), memfd, size) < 0) {
                throw Libc.error(Libc.errno(Libc.callState()));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return the guest memory's descriptor (the front end keeps it) */
    int memfd() {
        return memfd;
    }

    /**
     * Sends bytes framed by hand, with descriptors on the first byte: a message no
     * {@link VhostUserMessage} would build (a size that lies, nine regions).
     */
    void sendRaw(ByteBuffer bytes, int... fds) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, bytes.remaining()));
            data.copyFrom(MemorySegment.ofBuffer(bytes));
            long n = UnixStream.sendNow(fd(), data, fds, fds.length, arena.allocate(UnixStream.SCRATCH_SIZE, 8));
            if (n != data.byteSize()) {
                throw new IOException("sent " + n + " of " + data.byteSize());
            }
        }
    }

    /** Sends the message built with {@link #message()}. */
    void send() throws IOException {
        message.send(fd());
    }

    /** Sends a request without payload. */
    void send(VhostUserRequest request) throws IOException {
        message.request(request).send(fd());
    }

    /** Sends a u64 request. */
    void send(VhostUserRequest request, long value) throws IOException {
        message.request(request).u64(value).send(fd());
    }

    /** @return the reply's u64 to a GET_ request without payload */
    long get(VhostUserRequest request) throws Exception {
        send(request);
        return awaitReply(request).u64();
    }

    /**
     * Sends the message built with {@link #message()} asking for an answer (REPLY_ACK).
     *
     * @return the answer: 0 done, anything else refused
     */
    long ask() throws Exception {
        VhostUserRequest request = message.request();
        message.needReply().send(fd());
        return awaitReply(request).u64();
    }

    /** Waits for the back end's reply to {@code request}. */
    VhostUserMessage awaitReply(VhostUserRequest request) throws Exception {
        Await.until(() -> message.receive(fd()), REPLY, "the reply to " + request);
        if (message.request() != request || !message.isReply()) {
            throw new IOException("expected the reply to " + request + ", got " + message);
        }
        return message;
    }

    /**
     * @return true when the back end closed the connection; false while it keeps it (nothing to
     *         read); fails on a message the back end sent unasked
     */
    boolean closedByPeer() throws IOException {
        try {
            if (message.receive(fd())) {
                throw new IOException("unexpected message " + message);
            }
            return false;
        } catch (EOFException e) {
            return true;
        } catch (PosixException e) {
            if (e.errno() == ECONNRESET) {
                return true;
            }
            throw e;
        }
    }

    /**
     * The handshake QEMU 7.2 makes with a vhost-user net back end before the guest drives it:
     * features (the back end's, masked to {@code wanted}), owner, protocol features (REPLY_ACK
     * taken when offered: then a refused request without NEED_REPLY ends the connection), memory
     * table.
     *
     * @return the features set
     */
    long negotiate(long wanted) throws Exception {
        long offered = get(VhostUserRequest.GET_FEATURES);
        if (VhostUserFeatures.has(offered, VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES)) {
            long protocol = get(VhostUserRequest.GET_PROTOCOL_FEATURES);
            send(VhostUserRequest.SET_PROTOCOL_FEATURES,
                    protocol & (VhostUserFeatures.bit(VhostUserFeatures.PROTOCOL_F_MQ)
                            | VhostUserFeatures.bit(VhostUserFeatures.PROTOCOL_F_REPLY_ACK)));
        }
        send(VhostUserRequest.SET_OWNER);
        long features = offered & wanted;
        send(VhostUserRequest.SET_FEATURES, features);
        message.request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1)
                .memoryRegion(0, GUEST_BASE, MEMORY, USER_BASE, 0).attach(memfd);
        send();
        return features;
    }

    /**
     * Sets ring {@code index} up with {@code size} entries, placed at its stride (zeroed), and
     * enables it; a ring set up again gets new eventfds. Returns once the back end has served it.
     */
    Ring ring(int index, int size) throws Exception {
        if (rings[index] != null) {
            Libc.close(rings[index].kick);
            Libc.close(rings[index].call);
        }
        Ring ring = new Ring(index, size);
        rings[index] = ring;
        long base = USER_BASE + index * RING_STRIDE;
        message.request(VhostUserRequest.SET_VRING_NUM).vringState(index, size);
        send();
        message.request(VhostUserRequest.SET_VRING_BASE).vringState(index, 0);
        send();
        message.request(VhostUserRequest.SET_VRING_ADDR).vringAddress(index, 0, base,
                base + ring.layout.usedOffset(), base + ring.layout.availOffset(), 0);
        send();
        message.request(VhostUserRequest.SET_VRING_KICK).u64(index).attach(ring.kick);
        send();
        message.request(VhostUserRequest.SET_VRING_CALL).u64(index).attach(ring.call);
        send();
        message.request(VhostUserRequest.SET_VRING_ENABLE).vringState(index, 1);
        send();
        get(VhostUserRequest.GET_FEATURES); // answered once the back end has served the above
        return ring;
    }

    @Override
    public void close() {
        socket.close();
        message.discard();
        memory.close();
        Libc.close(memfd);
        for (Ring ring : rings) {
            if (ring != null) {
                Libc.close(ring.kick);
                Libc.close(ring.call);
            }
        }
    }
}
