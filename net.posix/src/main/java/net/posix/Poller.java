package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.io.Closeable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

    private static final int WATCHED = Epoll.IN | Epoll.OUT | Epoll.RDHUP | Epoll.EDGE_TRIGGERED;
    private static final int BATCH = 256;
    /** The key of the eventfd that wakes the thread to stop. */
    private static final long STOP = 0;

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
        int epoll = Epoll.create();
        int wakeup;
        try {
            wakeup = Epoll.eventFd();
        } catch (PosixException e) {
            Libc.close(epoll);
            throw e;
        }
        Poller poller = new Poller(epoll, wakeup);
        try {
            poller.control(Epoll.CTL_ADD, wakeup, Epoll.IN, STOP);
        } catch (PosixException e) {
            Libc.close(wakeup);
            Libc.close(epoll);
            throw e;
        }
        Thread.ofPlatform().daemon().name(name).start(poller::run);
        return poller;
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
            control(Epoll.CTL_ADD, fd, WATCHED, registration.key);
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
                Epoll.control(epoll, op, fd, events, key, arena.allocate(Epoll.EVENT_SIZE, 8));
            }
        }
    }

    private void run() {
        MemorySegment events = Arena.ofAuto().allocate(Epoll.EVENT_SIZE * BATCH, 8);
        try {
            while (true) {
                int n = Epoll.await(epoll, events, BATCH, -1);
                for (int i = 0; i < n; i++) {
                    long key = Epoll.data(events, i);
                    if (key == STOP) {
                        return;
                    }
                    Registration registration = watched.get(key);
                    if (registration != null) {
                        registration.ready(Epoll.events(events, i));
                    }
                }
            }
        } catch (PosixException nothingLeft) {
            // EBADF or EINVAL: the epoll descriptor is gone, nothing left to wait on
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
            if ((events & (Epoll.IN | Epoll.RDHUP | Epoll.HUP | Epoll.ERR)) != 0) {
                readable++;
                LockSupport.unpark(reader);
            }
            if ((events & (Epoll.OUT | Epoll.HUP | Epoll.ERR)) != 0) {
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
                poller.control(Epoll.CTL_DEL, fd, 0, key);
            } catch (PosixException e) {
                // the poller is closed: nothing watches the number any more
            }
            wake();
        }
    }
}
