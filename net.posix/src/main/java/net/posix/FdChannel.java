package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A non-blocking file descriptor this channel owns: a socket the JDK has no channel for (an
 * inherited one, AF_UNIX datagrams, raw IP), or a character device such as {@code /dev/net/tun}.
 * An event loop watches its {@linkplain #fd() number}. Like the NIO channels, reads and writes
 * return 0 when they would block.
 *
 * <p>Use it from one thread at a time, close included: its event loop, or whoever owns it once the
 * loop has let it go. (Closing while another thread is inside a call could let that call reach
 * whatever file is given the number next.)
 */
public final class FdChannel implements ByteChannel, GatheringByteChannel {

    /** The most buffers one gathering write takes (the kernel allows 1024; frames need two or three). */
    public static final int MAX_GATHER = 8;
    private static final long IOVEC = 16;
    /** The smallest copy buffer for heap pieces: room for a 64 KiB frame and its headers. */
    private static final int MIN_HEAP_COPY = 4096 + 65536;

    private final int fd;
    private final AtomicBoolean open = new AtomicBoolean(true);
    /** Scratch for addresses: a {@code sockaddr_storage} and its length; freed with the channel by GC. */
    private final MemorySegment address = Arena.ofAuto().allocate(SocketAddresses.STORAGE);
    private final MemorySegment addressLength = Arena.ofAuto().allocate(JAVA_INT);
    /** The last datagram target, kept encoded, so a flow to one peer encodes its address once. */
    private final MemorySegment encoded = Arena.ofAuto().allocate(SocketAddresses.STORAGE);
    private SocketAddress encodedTarget;
    private int targetLength;
    /** {@code struct iovec}s of a gathering write, and room for the heap buffers it copies. */
    private final MemorySegment iov = Arena.ofAuto().allocate(IOVEC * MAX_GATHER, 8);
    private ByteBuffer heapCopies;

    private FdChannel(int fd) {
        this.fd = fd;
    }

    /**
     * Takes ownership of a descriptor this process inherited or made, and makes it non-blocking.
     *
     * @param fd the descriptor
     * @return its channel
     * @throws PosixException ({@code EBADF}) when it is not open
     */
    public static FdChannel adopt(int fd) throws PosixException {
        Libc.setNonBlocking(fd);
        return new FdChannel(fd);
    }

    /**
     * Opens a file or device, non-blocking.
     *
     * @param path  the path
     * @param flags {@link Libc#O_RDWR} and the like
     * @return the channel
     * @throws PosixException when open(2) fails
     */
    public static FdChannel open(String path, int flags) throws PosixException {
        return new FdChannel(Libc.open(path, flags | Libc.O_NONBLOCK));
    }

    /**
     * Opens a socket, non-blocking.
     *
     * @param domain   {@link Libc#AF_UNIX}, {@link Libc#AF_INET}, {@link Libc#AF_INET6}
     * @param type     {@link Libc#SOCK_STREAM}, {@link Libc#SOCK_DGRAM}, {@link Libc#SOCK_RAW}
     * @param protocol the protocol (0 for the default, 115 for L2TP over IP, ...)
     * @return the channel
     * @throws PosixException when socket(2) fails ({@code EPERM} for raw sockets without CAP_NET_RAW)
     */
    public static FdChannel socket(int domain, int type, int protocol) throws PosixException {
        return new FdChannel(Libc.socket(domain, type, protocol));
    }

    /** @return the descriptor number */
    public int fd() {
        return fd;
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    /**
     * Reads what is there into {@code dst} (one frame, for a tap or a datagram socket).
     *
     * @return bytes read; 0 when nothing is ready; -1 at end of stream
     * @throws IOException when the read fails
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        long n = Libc.read(fd, MemorySegment.ofBuffer(dst), dst.remaining());
        if (n == 0 && dst.hasRemaining()) {
            return -1;
        }
        return (int) advance(dst, n);
    }

    /**
     * Writes from {@code src}.
     *
     * @return bytes written; 0 when the descriptor cannot take them now
     * @throws IOException when the write fails
     */
    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        return (int) advance(src, Libc.write(fd, MemorySegment.ofBuffer(src), src.remaining()));
    }

    /**
     * Writes {@code srcs[offset..offset+length)} with one {@code writev(2)}: for a tap, a raw socket
     * or a datagram socket, one frame made of several pieces (a header in front of a frame) without
     * copying them together. Heap buffers are copied into a direct buffer the channel keeps.
     *
     * @return bytes written, the buffers advanced by them; 0 when the descriptor cannot take them now
     * @throws IOException when the write fails
     * @throws IllegalArgumentException for more than {@link #MAX_GATHER} buffers
     */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        ensureOpen();
        if (length > MAX_GATHER) {
            throw new IllegalArgumentException("at most " + MAX_GATHER + " buffers in one write");
        }
        int heapBytes = 0;
        for (int i = offset; i < offset + length; i++) {
            heapBytes += srcs[i].isDirect() ? 0 : srcs[i].remaining();
        }
        if (heapBytes > 0 && (heapCopies == null || heapCopies.capacity() < heapBytes)) {
            heapCopies = ByteBuffer.allocateDirect(Math.max(heapBytes, MIN_HEAP_COPY));
        }
        if (heapCopies != null) {
            heapCopies.clear();
        }
        for (int i = 0; i < length; i++) {
            ByteBuffer src = srcs[offset + i];
            MemorySegment piece;
            if (src.isDirect()) {
                piece = MemorySegment.ofBuffer(src);
            } else {
                int at = heapCopies.position();
                heapCopies.put(src.duplicate());
                piece = MemorySegment.ofBuffer(heapCopies.slice(at, src.remaining()));
            }
            iov.set(java.lang.foreign.ValueLayout.ADDRESS, i * IOVEC, piece);
            iov.set(java.lang.foreign.ValueLayout.JAVA_LONG, i * IOVEC + 8, src.remaining());
        }
        long n = Libc.writev(fd, iov, length);
        if (n == -Libc.EAGAIN) {
            return 0;
        }
        if (n < 0) {
            throw Libc.error((int) -n);
        }
        long left = n;
        for (int i = offset; i < offset + length && left > 0; i++) {
            int step = (int) Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    /**
     * Receives one datagram into {@code dst}; the part that does not fit is lost, as with
     * {@link java.nio.channels.DatagramChannel#receive}.
     *
     * @return its length (0 for an empty datagram), or -1 when none is waiting
     * @throws IOException when the receive fails
     */
    public int receive(ByteBuffer dst) throws IOException {
        ensureOpen();
        long n = Libc.receive(fd, MemorySegment.ofBuffer(dst), dst.remaining(), 0, MemorySegment.NULL,
                MemorySegment.NULL);
        if (n == -Libc.EAGAIN) {
            return -1;
        }
        return (int) advance(dst, n);
    }

    /**
     * Sends one datagram.
     *
     * @param target where to, or null on a connected socket
     * @return bytes sent (all of {@code src}), or 0 when the socket's buffer is full
     * @throws IOException when the send fails (a unix peer that is gone: ECONNREFUSED/ENOENT)
     */
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        ensureOpen();
        if (target != null && target != encodedTarget && !target.equals(encodedTarget)) {
            targetLength = SocketAddresses.encode(target, encoded);
            encodedTarget = target;
        }
        long n = Libc.send(fd, MemorySegment.ofBuffer(src), src.remaining(), 0,
                target == null ? MemorySegment.NULL : encoded, target == null ? 0 : targetLength);
        return (int) advance(src, n);
    }

    /**
     * @param local the address to bind (a unix path is created)
     * @throws IOException when bind(2) fails
     */
    public void bind(SocketAddress local) throws IOException {
        Libc.bind(fd, address, SocketAddresses.encode(local, address));
    }

    /**
     * Connects; a datagram socket only sets its default destination.
     *
     * @param remote the peer
     * @return true when connected, false when a stream connect is in progress (watch for write)
     * @throws IOException when connect(2) fails
     */
    public boolean connect(SocketAddress remote) throws IOException {
        int result = Libc.connect(fd, address, SocketAddresses.encode(remote, address));
        if (result == -Libc.EINPROGRESS) {
            return false;
        }
        if (result < 0) {
            throw Libc.error(-result);
        }
        return true;
    }

    /**
     * Accepts a connection on a listening stream socket.
     *
     * @return the connection, non-blocking, or null when none is waiting
     * @throws IOException when accept(2) fails (not a listening socket: {@code EINVAL})
     */
    public FdChannel accept() throws IOException {
        ensureOpen();
        int result = Libc.accept(fd);
        if (result == -Libc.EAGAIN) {
            return null;
        }
        if (result < 0) {
            throw Libc.error(-result);
        }
        return new FdChannel(result);
    }

    /**
     * @return the socket's local address, or null when unnamed or not a socket family we know
     * @throws IOException when getsockname(2) fails (not a socket)
     */
    public SocketAddress localAddress() throws IOException {
        return name(false);
    }

    /**
     * @return the connected peer's address, or null when not connected or unnamed
     * @throws IOException when getpeername(2) fails for another reason than not being connected
     */
    public SocketAddress remoteAddress() throws IOException {
        try {
            return name(true);
        } catch (PosixException e) {
            if (e.errno() == Libc.ENOTCONN) {
                return null;
            }
            throw e;
        }
    }

    private SocketAddress name(boolean peer) throws IOException {
        addressLength.set(JAVA_INT, 0, SocketAddresses.STORAGE);
        Libc.socketName(fd, peer, address, addressLength);
        return SocketAddresses.decode(address, addressLength.get(JAVA_INT, 0));
    }

    /**
     * @return the value of an int socket option ({@link Libc#SO_TYPE}, ...)
     * @throws IOException when getsockopt(2) fails
     */
    public int intOption(int level, int name) throws IOException {
        return Libc.getIntOption(fd, level, name);
    }

    /** @throws IOException when setsockopt(2) fails */
    public void setIntOption(int level, int name, int value) throws IOException {
        Libc.setIntOption(fd, level, name, value);
    }

    /** A closed number may already name another file: never call the kernel with it. */
    private void ensureOpen() throws ClosedChannelException {
        if (!open.get()) {
            throw new ClosedChannelException();
        }
    }

    private long advance(ByteBuffer buffer, long result) throws IOException {
        if (result == -Libc.EAGAIN) {
            return 0;
        }
        if (result < 0) {
            if (!open.get()) {
                throw new ClosedChannelException();
            }
            throw Libc.error((int) -result);
        }
        buffer.position(buffer.position() + (int) result);
        return result;
    }

    /** Closes the descriptor once; later calls do nothing. Call it from the thread that uses the channel. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            Libc.close(fd);
        }
    }

    @Override
    public String toString() {
        return "fd " + fd;
    }
}
