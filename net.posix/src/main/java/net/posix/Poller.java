package net.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One platform thread waiting in {@code epoll_wait} for many descriptors, so that the threads
 * using them can be virtual: a {@link UnixStream} {@linkplain UnixStream#pollWith polled} by it
 * calls the kernel without waiting ({@code EAGAIN}) and parks its thread until this poller says
 * the socket is ready. Thousands of idle connections then cost one platform thread in all.
 *
 * <p>Descriptors are watched edge-triggered: each new readiness bumps a counter and unparks the
 * waiting thread, which retries its call; a thread reads the counter before its call, so a
 * readiness that comes between the call and the park is never missed.
 */
public final class Poller implements Closeable {

    private static final int EPOLL_CLOEXEC = Libc.O_CLOEXEC;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x1;
    private static final int EPOLLOUT = 0x4;
    private static final int EPOLLERR = 0x8;
    private static final int EPOLLHUP = 0x10;
    private static final int EPOLLRDHUP = 0x2000;
    private static final int EPOLLET = 1 << 31;
    private static final int WATCHED = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    /** {@code struct epoll_event} is packed on x86_64 (12 bytes), naturally aligned elsewhere (16). */
    private static final boolean PACKED = System.getProperty("os.arch").equals("amd64");
    private static final long EVENT_SIZE = PACKED ? 12 : 16;
    private static final long EVENT_DATA = PACKED ? 4 : 8;
    private static final int BATCH = 256;
    /** The key of the eventfd that wakes the thread to stop. */
    private static final long STOP = 0;

    private static final MethodHandle EPOLL_CREATE1 = Libc.function("epoll_create1",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle EPOLL_CTL = Libc.function("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EPOLL_WAIT = Libc.function("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = Libc.function("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    private final int epoll;
    private final int wakeup;
    private final Map<Long, Registration> watched = new ConcurrentHashMap<>();
    private final AtomicLong keys = new AtomicLong(STOP);
    /** Guards the epoll descriptor: no epoll_ctl reaches its number once it is closed. */
    private final Object lock = new Object();
    private volatile boolean closed;

    private Poller(int epoll, int wakeup) {
        this.epoll = epoll;
        this.wakeup = wakeup;
    }

    /**
     * Starts a poller on a daemon platform thread of its own.
     *
     * @param name the thread's name
     * @return the running poller
     * @throws PosixException when the kernel gives no epoll instance
     */
    public static Poller start(String name) throws PosixException {
        int epoll = create(() -> (int) EPOLL_CREATE1.invokeExact(Libc.callState(), EPOLL_CLOEXEC));
        int wakeup;
        try {
            wakeup = create(() -> (int) EVENTFD.invokeExact(Libc.callState(), 0, Libc.O_CLOEXEC | Libc.O_NONBLOCK));
        } catch (PosixException e) {
            Libc.close(epoll);
            throw e;
        }
        Poller poller = new Poller(epoll, wakeup);
        try {
            poller.control(EPOLL_CTL_ADD, wakeup, EPOLLIN, STOP);
        } catch (PosixException e) {
            Libc.close(wakeup);
            Libc.close(epoll);
            throw e;
        }
        Thread.ofPlatform().daemon().name(name).start(poller::run);
        return poller;
    }

    private interface Call {
        int invoke() throws Throwable;
    }

    private static int create(Call call) throws PosixException {
        try {
            int fd = call.invoke();
            if (fd < 0) {
                throw Libc.error(Libc.errno(Libc.callState()));
            }
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Watches a non-blocking descriptor for reading and writing.
     *
     * @throws PosixException when the poller is closed ({@code EBADF}) or epoll refuses it
     *                        ({@code ENOSPC} past {@code max_user_watches})
     */
    Registration register(int fd) throws PosixException {
        Registration registration = new Registration(this, fd, keys.incrementAndGet());
        watched.put(registration.key, registration);
        try {
            control(EPOLL_CTL_ADD, fd, WATCHED, registration.key);
        } catch (PosixException e) {
            watched.remove(registration.key);
            throw e;
        }
        return registration;
    }

    private void control(int op, int fd, int events, long key) throws PosixException {
        synchronized (lock) {
            if (closed) {
                throw Libc.error(Libc.EBADF);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment event = arena.allocate(EVENT_SIZE, 8);
                event.set(JAVA_INT_UNALIGNED, 0, events);
                event.set(JAVA_LONG_UNALIGNED, EVENT_DATA, key);
                MemorySegment state = Libc.callState();
                if ((int) EPOLL_CTL.invokeExact(state, epoll, op, fd, event) < 0) {
                    throw Libc.error(Libc.errno(state));
                }
            } catch (PosixException e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate(EVENT_SIZE * BATCH, 8);
        MemorySegment state = Libc.callState();
        try {
            while (true) {
                int n = (int) EPOLL_WAIT.invokeExact(state, epoll, events, BATCH, -1);
                if (n < 0 && Libc.errno(state) != Libc.EINTR) {
                    return; // EBADF or EINVAL: nothing left to wait on
                }
                for (int i = 0; i < n; i++) {
                    long key = events.get(JAVA_LONG_UNALIGNED, EVENT_SIZE * i + EVENT_DATA);
                    if (key == STOP) {
                        return;
                    }
                    Registration registration = watched.get(key);
                    if (registration != null) {
                        registration.ready(events.get(JAVA_INT_UNALIGNED, EVENT_SIZE * i));
                    }
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            synchronized (lock) {
                closed = true;
                Libc.close(epoll);
                Libc.close(wakeup);
            }
            // Whoever still waits fails its call instead of waiting for ever.
            watched.values().forEach(Registration::wake);
        }
    }

    /** Stops the thread; the descriptors still watched then fail their waits; idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                long written = Libc.write(wakeup, arena.allocateFrom(JAVA_LONG_UNALIGNED, 1L), 8);
                if (written < 0) {
                    throw new IllegalStateException(Libc.strerror((int) -written));
                }
            }
        }
    }

    /**
     * One watched descriptor: readiness counters, bumped by the poller's thread, and the threads
     * (one reader, one writer) parked until they change.
     */
    static final class Registration {

        private final Poller poller;
        private final int fd;
        private final long key;
        private volatile int readable;
        private volatile int writable;
        private volatile Thread reader;
        private volatile Thread writer;
        private volatile boolean cancelled;

        private Registration(Poller poller, int fd, long key) {
            this.poller = poller;
            this.fd = fd;
            this.key = key;
        }

        /** @return the poller watching the descriptor */
        Poller poller() {
            return poller;
        }

        /** @return the read readiness seen so far: take it before the call that may return EAGAIN */
        int readable() {
            return readable;
        }

        /** @return the write readiness seen so far: take it before the call that may return EAGAIN */
        int writable() {
            return writable;
        }

        /**
         * Parks the calling thread until the descriptor became readable after {@code seen}.
         *
         * @return false when it was cancelled or the poller stopped: the call is not to be retried
         * @throws PosixException ({@code EINTR}) when the thread is interrupted
         */
        boolean awaitReadable(int seen) throws PosixException {
            reader = Thread.currentThread();
            try {
                while (readable == seen && usable()) {
                    park();
                }
                return usable();
            } finally {
                reader = null;
            }
        }

        /** Like {@link #awaitReadable}, for writing. */
        boolean awaitWritable(int seen) throws PosixException {
            writer = Thread.currentThread();
            try {
                while (writable == seen && usable()) {
                    park();
                }
                return usable();
            } finally {
                writer = null;
            }
        }

        private boolean usable() {
            return !cancelled && !poller.closed;
        }

        private void park() throws PosixException {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt();
                throw Libc.error(Libc.EINTR);
            }
        }

        /** Called on the poller's thread only (so the counters need no atomic update). */
        private void ready(int events) {
            if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
                readable++;
                LockSupport.unpark(reader);
            }
            if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0) {
                writable++;
                LockSupport.unpark(writer);
            }
        }

        private void wake() {
            LockSupport.unpark(reader);
            LockSupport.unpark(writer);
        }

        /**
         * Stops watching the descriptor, and wakes its waiting threads (whose waits then fail).
         * Call it before the descriptor is closed, so the number is never watched for a file that
         * is given it next.
         */
        void cancel() {
            cancelled = true;
            poller.watched.remove(key);
            try {
                poller.control(EPOLL_CTL_DEL, fd, 0, key);
            } catch (PosixException e) {
                // the poller is closed: nothing watches the number any more
            }
            wake();
        }
    }
}
