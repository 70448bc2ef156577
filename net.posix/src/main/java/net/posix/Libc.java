package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library calls drivers share, bound once. Calls on the data path ({@link #read},
 * {@link #write}, {@link #send}, {@link #receive}) return a count or a negated errno, so that the
 * common {@code EAGAIN} costs no exception; the others throw {@link PosixException}.
 *
 * <p>Linux on x86_64 and aarch64 (the constants are Linux's generic values).
 */
public final class Libc {

    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EBADF = 9;
    public static final int ENOENT = 2;
    public static final int EPERM = 1;
    public static final int EACCES = 13;
    public static final int EBUSY = 16;
    public static final int EINVAL = 22;
    public static final int EPIPE = 32;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int ENETUNREACH = 101;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EINPROGRESS = 115;

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;

    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = O_NONBLOCK;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_TYPE = 3;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SCM_RIGHTS = 1;

    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;
    public static final int IPPROTO_UDP = 17;
    public static final int SOL_UDP = 17;
    /** {@code UDP_SEGMENT}: the segment size of a UDP GSO send (a {@code uint16_t}). */
    public static final int UDP_SEGMENT = 103;
    public static final int SO_DOMAIN = 39;
    public static final int SO_PROTOCOL = 38;

    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;

    static final int F_GETFL = 3;
    static final int F_SETFL = 4;


    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** Each thread's errno slot; a downcall writes errno there, so no allocation per call. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CALL_STATE));

    // Each function is bound on first use, by a holder class of its own: binding them all when
    // this class loads cost every start a tenth of a second (the linker generates classes for
    // each signature), and a holder's static final handle is as constant to the JIT.
    private static final class Open {
        static final MethodHandle HANDLE = function("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class Close {
        static final MethodHandle HANDLE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class Read {
        static final MethodHandle HANDLE = criticalFunction("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class Write {
        static final MethodHandle HANDLE = criticalFunction("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }
    private static final class Writev {
        static final MethodHandle HANDLE = function("writev",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Sendto {
        static final MethodHandle HANDLE = criticalFunction("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Recvfrom {
        static final MethodHandle HANDLE = criticalFunction("recvfrom",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class Sendmmsg {
        static final MethodHandle HANDLE = criticalFunction("sendmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class Recvmmsg {
        static final MethodHandle HANDLE = criticalFunction("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class Socket {
        static final MethodHandle HANDLE = function("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Socketpair {
        static final MethodHandle HANDLE = function("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class Bind {
        static final MethodHandle HANDLE = function("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Connect {
        static final MethodHandle HANDLE = function("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Accept4 {
        static final MethodHandle HANDLE = function("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }
    private static final class Getsockname {
        static final MethodHandle HANDLE = function("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class Getpeername {
        static final MethodHandle HANDLE = function("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class Getsockopt {
        static final MethodHandle HANDLE = function("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }
    private static final class Setsockopt {
        static final MethodHandle HANDLE = function("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }
    private static final class Dup3 {
        static final MethodHandle HANDLE = function("dup3",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }
    private static final class Fcntl {
        static final MethodHandle HANDLE = function("fcntl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class IoctlPointer {
        static final MethodHandle HANDLE = function("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    }
    private static final class IoctlValue {
        static final MethodHandle HANDLE = function("ioctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    }
    private static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(
                LINKER.defaultLookup().find("strerror").orElseThrow(),
                FunctionDescriptor.of(ADDRESS.withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(
                        256, java.lang.foreign.ValueLayout.JAVA_BYTE)), JAVA_INT));
    }

    private Libc() {
    }

    /**
     * Binds a C library function whose first parameter, in the returned handle, is the segment
     * that receives errno: pass {@link #callState()} and read it with {@link #errno(MemorySegment)}.
     * For the calls a driver needs that this class lacks ({@code recvmsg}, {@code posix_spawn}, ...).
     *
     * @param name       the symbol
     * @param descriptor its C signature
     * @param options    more linker options (e.g. {@code firstVariadicArg})
     * @return the downcall handle
     */
    public static MethodHandle function(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsupportedOperationException("no C function " + name));
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    /** Short non-blocking calls may take heap buffers: no thread-state transition, pinned arrays. */
    private static MethodHandle criticalFunction(String name, FunctionDescriptor descriptor) {
        return function(name, descriptor, Linker.Option.critical(true));
    }

    /** @return the calling thread's errno slot, for handles made by {@link #function} */
    public static MemorySegment callState() {
        return STATE.get();
    }

    /**
     * @param state the segment passed to the call
     * @return the errno the call left there
     */
    public static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /**
     * @param errno an error number
     * @return the C library's text for it ("No such file or directory")
     */
    public static String strerror(int errno) {
        try {
            return ((MemorySegment) Strerror.HANDLE.invokeExact(errno)).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    /**
     * @param errno an error number
     * @return an exception whose message is {@link #strerror(int)}
     */
    public static PosixException error(int errno) {
        return new PosixException(errno, strerror(errno));
    }

    private static int check(int result, MemorySegment state) throws PosixException {
        if (result < 0) {
            throw error(errno(state));
        }
        return result;
    }

    /** For downcalls that report errors by value: only the handle's declared Throwable is left. */
    static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    // -- descriptors --------------------------------------------------------------------------------

    /**
     * {@code open(2)}.
     *
     * @param path  the file
     * @param flags {@link #O_RDWR}, {@link #O_NONBLOCK}, ...
     * @return the new descriptor (close-on-exec is always added)
     * @throws PosixException when the call fails
     */
    public static int open(String path, int flags) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            return check((int) Open.HANDLE.invokeExact(state, arena.allocateFrom(path), flags | O_CLOEXEC, 0), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code close(2)}; errors are not reported (the descriptor is gone either way).
     *
     * @param fd the descriptor
     */
    public static void close(int fd) {
        try {
            int ignored = (int) Close.HANDLE.invokeExact(callState(), fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code read(2)} into a segment (native, or heap).
     *
     * @return bytes read, 0 at end of file, or {@code -errno}
     */
    public static long read(int fd, MemorySegment buffer, long length) {
        try {
            MemorySegment state = callState();
            long n = (long) Read.HANDLE.invokeExact(state, fd, buffer, length);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code write(2)} from a segment.
     *
     * @return bytes written or {@code -errno}
     */
    public static long write(int fd, MemorySegment buffer, long length) {
        try {
            MemorySegment state = callState();
            long n = (long) Write.HANDLE.invokeExact(state, fd, buffer, length);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code writev(2)}.
     *
     * @param iov   {@code count} {@code struct iovec}s pointing at native memory
     * @return bytes written or {@code -errno}
     */
    public static long writev(int fd, MemorySegment iov, int count) {
        try {
            MemorySegment state = callState();
            long n = (long) Writev.HANDLE.invokeExact(state, fd, iov, count);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code sendto(2)}.
     *
     * @param address a {@code struct sockaddr} or {@link MemorySegment#NULL} on a connected socket
     * @return bytes sent or {@code -errno}
     */
    public static long send(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
            int addressLength) {
        try {
            MemorySegment state = callState();
            long n = (long) Sendto.HANDLE.invokeExact(state, fd, buffer, length, flags, address, addressLength);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code recvfrom(2)}.
     *
     * @param address       receives the sender's {@code struct sockaddr}, or {@link MemorySegment#NULL}
     * @param addressLength an int holding the room in {@code address} (then its length), or NULL
     * @return bytes received (a datagram's full length with {@code MSG_TRUNC}) or {@code -errno}
     */
    public static long receive(int fd, MemorySegment buffer, long length, int flags, MemorySegment address,
            MemorySegment addressLength) {
        try {
            MemorySegment state = callState();
            long n = (long) Recvfrom.HANDLE.invokeExact(state, fd, buffer, length, flags, address, addressLength);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code sendmmsg(2)}.
     *
     * @param messages {@code count} {@code struct mmsghdr}s in native memory
     * @return how many messages went (the first failure ends the call), or {@code -errno} when
     *         the first one failed
     */
    public static int sendMessages(int fd, MemorySegment messages, int count, int flags) {
        try {
            MemorySegment state = callState();
            int n = (int) Sendmmsg.HANDLE.invokeExact(state, fd, messages, count, flags);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code recvmmsg(2)} without a timeout.
     *
     * @param messages {@code count} {@code struct mmsghdr}s in native memory
     * @return how many messages arrived, or {@code -errno} when none did
     */
    public static int receiveMessages(int fd, MemorySegment messages, int count, int flags) {
        try {
            MemorySegment state = callState();
            int n = (int) Recvmmsg.HANDLE.invokeExact(state, fd, messages, count, flags, MemorySegment.NULL);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code fcntl(fd, F_SETFL, flags | O_NONBLOCK)}.
     *
     * @param fd the descriptor
     * @throws PosixException when it is not open
     */
    public static void setNonBlocking(int fd) throws PosixException {
        try {
            MemorySegment state = callState();
            int flags = check((int) Fcntl.HANDLE.invokeExact(state, fd, F_GETFL, 0), state);
            check((int) Fcntl.HANDLE.invokeExact(state, fd, F_SETFL, flags | O_NONBLOCK), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ioctl(fd, request, pointer)}.
     *
     * @return the call's non-negative result
     * @throws PosixException when it fails
     */
    public static int ioctl(int fd, long request, MemorySegment argument) throws PosixException {
        try {
            MemorySegment state = callState();
            return check((int) IoctlPointer.HANDLE.invokeExact(state, fd, request, argument), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code ioctl(fd, request, value)} for requests that take their argument by value.
     *
     * @return the call's non-negative result
     * @throws PosixException when it fails
     */
    public static int ioctl(int fd, long request, long value) throws PosixException {
        try {
            MemorySegment state = callState();
            return check((int) IoctlValue.HANDLE.invokeExact(state, fd, request, value), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    // -- sockets ------------------------------------------------------------------------------------

    /**
     * {@code socket(2)}, non-blocking and close-on-exec.
     *
     * @return the new descriptor
     * @throws PosixException when it fails
     */
    public static int socket(int domain, int type, int protocol) throws PosixException {
        try {
            MemorySegment state = callState();
            return check((int) Socket.HANDLE.invokeExact(state, domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol),
                    state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code socketpair(2)}, close-on-exec (blocking: callers set non-blocking mode where they
     * need it).
     *
     * @return the two descriptors
     * @throws PosixException when it fails
     */
    public static int[] socketPair(int domain, int type) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = callState();
            check((int) Socketpair.HANDLE.invokeExact(state, domain, type | SOCK_CLOEXEC, 0, fds), state);
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static void bind(int fd, MemorySegment address, int length) throws PosixException {
        try {
            MemorySegment state = callState();
            check((int) Bind.HANDLE.invokeExact(state, fd, address, length), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** @return 0, or {@code -errno} ({@code -EINPROGRESS} for a non-blocking stream) */
    static int connect(int fd, MemorySegment address, int length) {
        try {
            MemorySegment state = callState();
            int result = (int) Connect.HANDLE.invokeExact(state, fd, address, length);
            return result < 0 ? -errno(state) : 0;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** @return the accepted descriptor (non-blocking, close-on-exec), or {@code -errno} */
    static int accept(int fd) {
        try {
            MemorySegment state = callState();
            int result = (int) Accept4.HANDLE.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL,
                    SOCK_NONBLOCK | SOCK_CLOEXEC);
            return result < 0 ? -errno(state) : result;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /** {@code dup3(from, to, O_CLOEXEC)}: makes {@code to} name the file {@code from} names. */
    static void duplicateOnto(int from, int to) throws PosixException {
        try {
            MemorySegment state = callState();
            check((int) Dup3.HANDLE.invokeExact(state, from, to, O_CLOEXEC), state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int socketName(int fd, boolean peer, MemorySegment address, MemorySegment length) throws PosixException {
        try {
            MemorySegment state = callState();
            int result = peer ? (int) Getpeername.HANDLE.invokeExact(state, fd, address, length)
                    : (int) Getsockname.HANDLE.invokeExact(state, fd, address, length);
            return check(result, state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code getsockopt(2)} for an int-valued option.
     *
     * @return the value
     * @throws PosixException when it fails ({@code ENOTSOCK} for a descriptor that is no socket)
     */
    public static int getIntOption(int fd, int level, int name) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
            MemorySegment state = callState();
            check((int) Getsockopt.HANDLE.invokeExact(state, fd, level, name, value, length), state);
            return value.get(JAVA_INT, 0);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    /**
     * {@code setsockopt(2)} for an int-valued option.
     *
     * @throws PosixException when it fails
     */
    public static void setIntOption(int fd, int level, int name, int value) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState();
            check((int) Setsockopt.HANDLE.invokeExact(state, fd, level, name, arena.allocateFrom(JAVA_INT, value), 4),
                    state);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
