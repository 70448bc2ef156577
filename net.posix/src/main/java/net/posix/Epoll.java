package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The epoll(7) and eventfd(2) calls, bound through {@link Libc#function}: what an event loop and
 * {@link Poller} wait with. Event masks and data words are read and written in the kernel's
 * {@code struct epoll_event} layout, which is packed on x86_64.
 */
public final class Epoll {

    /** {@code epoll_ctl} operations and event bits, as in {@code <sys/epoll.h>}. */
    public static final int CTL_ADD = 1;
    public static final int CTL_DEL = 2;
    public static final int CTL_MOD = 3;
    public static final int IN = 0x001;
    public static final int OUT = 0x004;
    public static final int ERR = 0x008;
    public static final int HUP = 0x010;
    public static final int RDHUP = 0x2000;
    public static final int ONESHOT = 1 << 30;
    public static final int EDGE_TRIGGERED = 1 << 31;
    /** {@code struct epoll_event} is packed on x86_64: a 32-bit event mask, then 64 bits of data. */
    public static final long EVENT_SIZE = isX86() ? 12 : 16;

    // Bound on first use, each by its holder class, as in Libc.
    private static final class Create1 {
        static final MethodHandle HANDLE = Libc.function("epoll_create1",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }
    private static final class Ctl {
        static final MethodHandle HANDLE = Libc.function("epoll_ctl",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }
    private static final class Wait {
        static final MethodHandle HANDLE = Libc.function("epoll_wait",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }
    private static final class Eventfd {
        static final MethodHandle HANDLE = Libc.function("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private Epoll() {
    }

    /** @return a new epoll descriptor, close-on-exec */
    public static int create() throws PosixException {
        MemorySegment state = Libc.callState();
        return check(invoke(() -> (int) Create1.HANDLE.invokeExact(state, Libc.O_CLOEXEC)), state);
    }

    /** @param event a scratch segment of {@link #EVENT_SIZE} bytes */
    public static void control(int epfd, int op, int fd, int events, long data, MemorySegment event)
            throws PosixException {
        event.set(JAVA_INT, 0, events);
        event.set(JAVA_LONG.withByteAlignment(4), EVENT_SIZE - 8, data);
        MemorySegment state = Libc.callState();
        check(invoke(() -> (int) Ctl.HANDLE.invokeExact(state, epfd, op, fd, event)), state);
    }

    /** @return the number of events, 0 on timeout or EINTR */
    public static int await(int epfd, MemorySegment events, int max, int timeoutMillis) throws PosixException {
        MemorySegment state = Libc.callState();
        int n = invoke(() -> (int) Wait.HANDLE.invokeExact(state, epfd, events, max, timeoutMillis));
        if (n < 0 && Libc.errno(state) == Libc.EINTR) {
            return 0;
        }
        return check(n, state);
    }

    /** @return the event mask of entry {@code index} of an epoll_wait result */
    public static int events(MemorySegment events, int index) {
        return events.get(JAVA_INT, index * EVENT_SIZE);
    }

    /** @return the data word of entry {@code index} of an epoll_wait result */
    public static long data(MemorySegment events, int index) {
        return events.get(JAVA_LONG.withByteAlignment(4), index * EVENT_SIZE + EVENT_SIZE - 8);
    }

    /** @return a non-blocking eventfd, close-on-exec */
    public static int eventFd() throws PosixException {
        MemorySegment state = Libc.callState();
        return check(invoke(() -> (int) Eventfd.HANDLE.invokeExact(state, 0, Libc.O_CLOEXEC | Libc.O_NONBLOCK)), state);
    }

    /** A downcall; they throw nothing checked but their handles' signature says Throwable. */
    @FunctionalInterface
    private interface Call {
        int run() throws Throwable;
    }

    private static int invoke(Call call) {
        try {
            return call.run();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int check(int result, MemorySegment state) throws PosixException {
        if (result < 0) {
            throw Libc.error(Libc.errno(state));
        }
        return result;
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }
}
