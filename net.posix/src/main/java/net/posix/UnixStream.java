package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * An AF_UNIX stream socket that carries descriptors (SCM_RIGHTS) with its bytes, which the JDK's
 * unix channels cannot: QEMU's QMP {@code getfd}/{@code add-fd} over a unix socket. Its calls
 * block; by default in native code, which pins a virtual thread to its carrier (call them from
 * platform threads). Once {@linkplain #pollWith polled} by a {@link Poller}, they call the kernel
 * without waiting and park the calling thread until the poller says the socket is ready: a
 * virtual thread then waits without holding a carrier.
 *
 * <p>Safe to use from several threads: a reader, a writer, and a closer. {@link #close()} shuts
 * the socket down, which wakes a blocked {@link #accept()}, {@link #receive} or {@link #write};
 * the number is released only once no call is inside the kernel with it, so a call can never
 * reach a file that was given the number afterwards.
 */
public final class UnixStream implements Closeable {

    /**
     * Descriptors kept from one message, QEMU's {@code SOCKET_MAX_FDS}: the kernel closes the
     * ones beyond (the message arrives with {@code MSG_CTRUNC}).
     */
    public static final int MAX_FDS = 16;

    /** The most bytes one call moves (the buffers given may be on the heap: they are copied). */
    private static final int CHUNK = 8192;
    private static final int SHUT_RDWR = 2;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** x86_64/aarch64 {@code struct msghdr}, {@code struct iovec}, {@code struct cmsghdr} layouts. */
    private static final long MSGHDR_SIZE = 56;
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long CMSG_LEVEL = 8;
    private static final long CMSG_TYPE = 12;
    private static final long CMSG_HEADER = 16;
    /** The kernel's bound on descriptors in one message ({@code SCM_MAX_FD}). */
    public static final int MAX_SEND_FDS = 253;
    /** {@code CMSG_SPACE(sizeof(int) * MAX_FDS)}. */
    private static final long CONTROL_SPACE = CMSG_HEADER + 4L * MAX_FDS;
    private static final long SEND_CONTROL_SPACE = (CMSG_HEADER + 4L * MAX_SEND_FDS + 7) & ~7L;
    /**
     * Native bytes (8-aligned) of the scratch {@link #receiveNow} and {@link #sendNow} take for
     * their message headers and control data.
     */
    public static final long SCRATCH_SIZE = MSGHDR_SIZE + 16 + SEND_CONTROL_SPACE;

    // Bound on first use, each by its holder class, as in Libc.
    private static final class Socket {
        static final MethodHandle HANDLE = Libc.function("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Listen {
        static final MethodHandle HANDLE = Libc.function("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Accept4 {
        static final MethodHandle HANDLE = Libc.function("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class Shutdown {
        static final MethodHandle HANDLE = Libc.function("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Recvmsg {
        static final MethodHandle HANDLE = Libc.function("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Sendmsg {
        static final MethodHandle HANDLE = Libc.function("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private final int fd;
    /** Set once, before the socket is used, when a poller watches it. */
    private volatile Poller.Registration polled;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** 1 for the owner, plus one per call inside the kernel; the number is closed at 0. */
    private final AtomicInteger users = new AtomicInteger(1);
    /** Native scratch for one message at a time: the reader and the writer each have their own. */
    private final MemorySegment receiveHeader = Arena.ofAuto().allocate(MSGHDR_SIZE + 16 + CONTROL_SPACE, 8);
    private final MemorySegment sendHeader = Arena.ofAuto().allocate(MSGHDR_SIZE + 16 + SEND_CONTROL_SPACE, 8);
    private final MemorySegment receiveData = Arena.ofAuto().allocate(CHUNK);
    private final MemorySegment sendData = Arena.ofAuto().allocate(CHUNK);

    private UnixStream(int fd) {
        this.fd = fd;
    }

    /**
     * Binds a listening socket to a path (which must not exist). The socket file is the owner's
     * only (mode 0600) whatever the umask: it is made so between bind and listen, while a
     * connection is still refused, so no other user can connect in between.
     *
     * @param path    where
     * @param backlog connections the kernel queues
     * @return the listening socket
     * @throws PosixException when socket, bind or listen fails ({@code EADDRINUSE}, ...)
     */
    public static UnixStream listen(Path path, int backlog) throws PosixException {
        int fd = socket();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SocketAddresses.STORAGE);
            Libc.bind(fd, address, SocketAddresses.encode(UnixDomainSocketAddress.of(path), address));
            ownerOnly(path);
            MemorySegment state = Libc.callState();
            if ((int) Listen.HANDLE.invokeExact(state, fd, backlog) < 0) {
                throw Libc.error(Libc.errno(state));
            }
            return new UnixStream(fd);
        } catch (Throwable t) {
            Libc.close(fd);
            throw rethrow(t);
        }
    }

    private static void ownerOnly(Path path) throws PosixException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // the chmod failure is the one to report
            }
            throw Libc.error(Libc.EPERM); // chmod on a file just made fails only without the right
        }
    }

    /**
     * Connects to a listening socket.
     *
     * @param path its path
     * @return the connection
     * @throws PosixException when the connection is refused or the path is wrong
     */
    public static UnixStream connect(Path path) throws PosixException {
        int fd = socket();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SocketAddresses.STORAGE);
            int result = Libc.connect(fd, address, SocketAddresses.encode(UnixDomainSocketAddress.of(path), address));
            if (result < 0) {
                throw Libc.error(-result);
            }
            return new UnixStream(fd);
        } catch (Throwable t) {
            Libc.close(fd);
            throw rethrow(t);
        }
    }

    private static int socket() throws PosixException {
        try {
            MemorySegment state = Libc.callState();
            int fd = (int) Socket.HANDLE.invokeExact(state, Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw Libc.error(Libc.errno(state));
            }
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Makes the socket non-blocking and has {@code poller} watch it, so that its calls park the
     * calling thread instead of blocking it in native code; a listening socket's
     * {@link #accept()} then returns connections the same poller watches. Call it once, before
     * any other call. Closing the socket stops the watch.
     *
     * @param poller the poller
     * @throws PosixException when the socket is closed or the poller refuses it
     */
    public void pollWith(Poller poller) throws PosixException {
        if (!enter()) {
            throw Libc.error(Libc.EBADF);
        }
        try {
            Libc.setNonBlocking(fd);
            polled = poller.register(fd);
        } finally {
            exit();
        }
    }

    /** @return the descriptor number, for logs and tests */
    public int fd() {
        return fd;
    }

    /**
     * Waits for a connection.
     *
     * @return the connection, close-on-exec; polled by this socket's poller if it has one,
     *         blocking otherwise
     * @throws PosixException when the socket was closed meanwhile ({@code EINVAL}) or accept fails
     */
    public UnixStream accept() throws PosixException {
        if (!enter()) {
            throw Libc.error(Libc.EINVAL);
        }
        try {
            Poller.Registration poller = polled;
            int flags = Libc.SOCK_CLOEXEC | (poller != null ? Libc.SOCK_NONBLOCK : 0);
            MemorySegment state = Libc.callState();
            while (true) {
                int seen = poller != null ? poller.readable() : 0;
                int result = (int) Accept4.HANDLE.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
                if (result >= 0) {
                    return poller != null ? polled(result, poller.poller()) : new UnixStream(result);
                }
                int errno = Libc.errno(state);
                if (errno == Libc.EAGAIN && poller != null) {
                    if (!poller.awaitReadable(seen)) {
                        throw Libc.error(Libc.EINVAL);
                    }
                } else if (errno != Libc.EINTR) {
                    throw Libc.error(errno);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    /** @return a connection {@code poller} watches; closed when it refuses it */
    private static UnixStream polled(int fd, Poller poller) throws PosixException {
        UnixStream stream = new UnixStream(fd);
        try {
            stream.polled = poller.register(fd);
            return stream;
        } catch (PosixException e) {
            stream.close();
            throw e;
        }
    }

    /**
     * Receives bytes and the descriptors that came with them. Use from one thread at a time.
     *
     * @param dst         where the bytes go (from its position; advanced); must have room
     * @param descriptors told each descriptor received, in order; from then on it owns it
     *                    (close-on-exec; at most {@link #MAX_FDS} per message)
     * @return the bytes received, or -1 at end of stream (also once closed)
     * @throws PosixException when recvmsg fails
     */
    public int receive(ByteBuffer dst, IntConsumer descriptors) throws PosixException {
        if (!dst.hasRemaining()) {
            throw new IllegalArgumentException("no room to receive into"); // 0 bytes would read as end of stream
        }
        if (!enter()) {
            return -1;
        }
        try {
            Poller.Registration poller = polled;
            long n;
            while (true) {
                int seen = poller != null ? poller.readable() : 0;
                n = receive(fd, receiveHeader, receiveData, Math.min(dst.remaining(), CHUNK),
                        poller != null ? Libc.MSG_DONTWAIT : 0, descriptors);
                if (n != -Libc.EAGAIN || poller == null) {
                    break;
                }
                if (!poller.awaitReadable(seen)) {
                    return -1; // closed meanwhile
                }
            }
            if (n < 0) {
                throw Libc.error((int) -n);
            }
            if (n == 0) {
                return -1;
            }
            MemorySegment.ofBuffer(dst).copyFrom(receiveData.asSlice(0, n));
            dst.position(dst.position() + (int) n);
            return (int) n;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    /**
     * Takes the descriptors of the message waiting on a unix stream socket, without waiting for
     * one: for a one-shot receiver, as of the descriptor a helper process sent before it exited.
     *
     * @param socket      a unix stream socket (not one a {@code UnixStream} owns)
     * @param descriptors told each descriptor received, in order; from then on it owns it
     *                    (close-on-exec; at most {@link #MAX_FDS})
     * @return the bytes received (at most 8192, then dropped), 0 when nothing waits or at end of stream
     * @throws PosixException when recvmsg fails otherwise
     */
    public static int receiveWaiting(int socket, IntConsumer descriptors) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(MSGHDR_SIZE + 16 + CONTROL_SPACE, 8);
            MemorySegment data = arena.allocate(CHUNK);
            long n = receive(socket, header, data, CHUNK, Libc.MSG_DONTWAIT, descriptors);
            if (n == -Libc.EAGAIN) {
                return 0;
            }
            if (n < 0) {
                throw Libc.error((int) -n);
            }
            return (int) n;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * One recvmsg that does not wait, on a stream socket this class does not own (a chardev's
     * connection), for a protocol that frames its messages and their descriptors itself, as
     * vhost-user does: it receives at most {@code data}'s size, so a caller that asks for no more
     * than the rest of one message never takes the next one's bytes or descriptors. No allocation.
     *
     * @param socket      a unix stream socket
     * @param data        native memory to receive into, at most its size
     * @param scratch     {@link #SCRATCH_SIZE} native bytes, 8-aligned, one thread's at a time
     * @param descriptors told each descriptor that came with the bytes, in order; from then on it
     *                    owns it (close-on-exec; at most {@link #MAX_FDS}, the kernel closes more)
     * @return bytes received, 0 at end of stream, or {@code -errno} ({@code -EAGAIN}: nothing waits)
     */
    public static long receiveNow(int socket, MemorySegment data, MemorySegment scratch, IntConsumer descriptors) {
        try {
            return receive(socket, scratch, data, data.byteSize(), Libc.MSG_DONTWAIT, descriptors);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * One sendmsg that does not wait, with descriptors attached to the first byte, on a stream
     * socket this class does not own; for a protocol's short control messages (vhost-user).
     * No allocation.
     *
     * @param socket      a unix stream socket
     * @param data        native memory to send, all of it
     * @param descriptors descriptors to pass (the caller keeps its own copies)
     * @param count       how many of {@code descriptors}, at most {@link #MAX_SEND_FDS}
     * @param scratch     {@link #SCRATCH_SIZE} native bytes, 8-aligned, one thread's at a time
     * @return bytes sent (fewer than asked when the socket's buffer filled), or {@code -errno}
     *         ({@code -EAGAIN}: nothing sent; {@code -EPIPE}: the peer is gone; no SIGPIPE)
     */
    public static long sendNow(int socket, MemorySegment data, int[] descriptors, int count, MemorySegment scratch) {
        if (count < 0 || count > MAX_SEND_FDS || count > descriptors.length) {
            throw new IllegalArgumentException("descriptor count " + count);
        }
        try {
            return send(socket, scratch, data, data.byteSize(), MSG_NOSIGNAL | Libc.MSG_DONTWAIT, descriptors, count);
        } catch (Throwable t) {
            throw Libc.unexpected(t);
        }
    }

    /**
     * One recvmsg into {@code data}, retried on EINTR; the descriptors that came are handed over.
     *
     * @param header room for a msghdr, an iovec and {@link #CONTROL_SPACE} of control data
     * @return the bytes received, 0 at end of stream, or {@code -errno}
     */
    private static long receive(int fd, MemorySegment header, MemorySegment data, long length, int flags,
            IntConsumer descriptors) throws Throwable {
        MemorySegment msg = message(header, data, length);
        MemorySegment control = header.asSlice(MSGHDR_SIZE + 16, CONTROL_SPACE);
        msg.set(ADDRESS, MSG_CONTROL, control);
        msg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SPACE);
        MemorySegment state = Libc.callState();
        long n;
        do {
            n = (long) Recvmsg.HANDLE.invokeExact(state, fd, msg, flags | MSG_CMSG_CLOEXEC);
        } while (n < 0 && Libc.errno(state) == Libc.EINTR);
        if (n < 0) {
            return -Libc.errno(state);
        }
        received(control, msg.get(JAVA_LONG, MSG_CONTROLLEN), descriptors);
        return n;
    }

    /**
     * Writes a msghdr for one iovec of {@code data} at the start of {@code header}, the iovec
     * after it, no control data yet.
     *
     * @return the msghdr
     */
    private static MemorySegment message(MemorySegment header, MemorySegment data, long length) {
        MemorySegment msg = header.asSlice(0, MSGHDR_SIZE);
        MemorySegment iov = header.asSlice(MSGHDR_SIZE, 16);
        msg.fill((byte) 0);
        iov.set(ADDRESS, 0, data);
        iov.set(JAVA_LONG, 8, length);
        msg.set(ADDRESS, MSG_IOV, iov);
        msg.set(JAVA_LONG, MSG_IOVLEN, 1);
        return msg;
    }

    /** Hands over every SCM_RIGHTS descriptor in the control data. */
    private static void received(MemorySegment control, long length, IntConsumer descriptors) {
        long offset = 0;
        while (offset + CMSG_HEADER <= length) {
            long cmsgLength = control.get(JAVA_LONG, offset);
            if (cmsgLength < CMSG_HEADER || offset + cmsgLength > length) {
                return;
            }
            if (control.get(JAVA_INT, offset + CMSG_LEVEL) == Libc.SOL_SOCKET
                    && control.get(JAVA_INT, offset + CMSG_TYPE) == Libc.SCM_RIGHTS) {
                for (long at = offset + CMSG_HEADER; at + 4 <= offset + cmsgLength; at += 4) {
                    descriptors.accept(control.get(JAVA_INT, at));
                }
            }
            offset += (cmsgLength + 7) & ~7L;
        }
    }

    /**
     * Writes all of {@code src}, waiting while the peer does not read.
     *
     * @throws PosixException when the peer is gone ({@code EPIPE}) or the socket was closed
     */
    public void write(ByteBuffer src) throws PosixException {
        send(src);
    }

    /**
     * Sends bytes with descriptors attached to the first of them, as a QMP client passes one
     * with {@code getfd}; writes the rest of the bytes without.
     *
     * @param src         the bytes (at least one)
     * @param descriptors descriptors to pass (the caller keeps its own copies), at most
     *                    {@link #MAX_SEND_FDS}; a receiver keeps {@link #MAX_FDS} of them
     * @throws PosixException when sendmsg fails
     */
    public void send(ByteBuffer src, int... descriptors) throws PosixException {
        if (descriptors.length > MAX_SEND_FDS) {
            throw new PosixException(Libc.EINVAL, "at most " + MAX_SEND_FDS + " descriptors per message");
        }
        if (!enter()) {
            throw Libc.error(Libc.EPIPE);
        }
        try {
            Poller.Registration poller = polled;
            int flags = MSG_NOSIGNAL | (poller != null ? Libc.MSG_DONTWAIT : 0);
            int attached = descriptors.length;
            while (src.hasRemaining()) {
                int seen = poller != null ? poller.writable() : 0;
                int length = Math.min(src.remaining(), CHUNK);
                sendData.copyFrom(MemorySegment.ofBuffer(src).asSlice(0, length));
                long n = send(fd, sendHeader, sendData, length, flags, descriptors, attached);
                if (n == -Libc.EAGAIN && poller != null) {
                    if (!poller.awaitWritable(seen)) {
                        throw Libc.error(Libc.EPIPE); // closed meanwhile
                    }
                    continue;
                }
                if (n < 0) {
                    throw Libc.error((int) -n);
                }
                attached = 0;
                src.position(src.position() + (int) n);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            exit();
        }
    }

    /**
     * One sendmsg of {@code length} bytes of {@code data}, the first {@code count} descriptors
     * attached, retried on EINTR.
     *
     * @param header room for a msghdr, an iovec and {@link #SEND_CONTROL_SPACE} of control data
     * @return the bytes sent or {@code -errno}
     */
    private static long send(int fd, MemorySegment header, MemorySegment data, long length, int flags,
            int[] descriptors, int count) throws Throwable {
        MemorySegment msg = message(header, data, length);
        MemorySegment control = header.asSlice(MSGHDR_SIZE + 16, SEND_CONTROL_SPACE);
        if (count > 0) {
            long cmsgLength = CMSG_HEADER + 4L * count;
            control.set(JAVA_LONG, 0, cmsgLength);
            control.set(JAVA_INT, CMSG_LEVEL, Libc.SOL_SOCKET);
            control.set(JAVA_INT, CMSG_TYPE, Libc.SCM_RIGHTS);
            for (int i = 0; i < count; i++) {
                control.set(JAVA_INT, CMSG_HEADER + 4L * i, descriptors[i]);
            }
            msg.set(ADDRESS, MSG_CONTROL, control);
            msg.set(JAVA_LONG, MSG_CONTROLLEN, (cmsgLength + 7) & ~7L);
        }
        MemorySegment state = Libc.callState();
        long n;
        do {
            n = (long) Sendmsg.HANDLE.invokeExact(state, fd, msg, flags);
        } while (n < 0 && Libc.errno(state) == Libc.EINTR);
        return n < 0 ? -Libc.errno(state) : n;
    }

    /**
     * Shuts the socket down (waking blocked calls), stops its poller's watch (waking parked ones),
     * and closes it once no call uses it; idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                int ignored = (int) Shutdown.HANDLE.invokeExact(Libc.callState(), fd, SHUT_RDWR);
                Poller.Registration poller = polled;
                if (poller != null) {
                    poller.cancel(); // before exit() below may close the number
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            } finally {
                exit();
            }
        }
    }

    @Override
    public String toString() {
        return "unix stream fd " + fd;
    }

    private boolean enter() {
        for (int n = users.get(); n > 0 && !closed.get(); n = users.get()) {
            if (users.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    private void exit() {
        if (users.decrementAndGet() == 0) {
            Libc.close(fd);
        }
    }

    private static RuntimeException rethrow(Throwable t) throws PosixException {
        if (t instanceof PosixException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
