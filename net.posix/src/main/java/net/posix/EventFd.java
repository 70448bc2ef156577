package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * eventfd(2) counters as vhost-user uses them for kicks and calls: one side {@linkplain #signal
 * signals}, the other's event loop sees the descriptor readable and {@linkplain #drain drains} it.
 * No allocation per call (each thread has its own 8-byte scratch), so they suit the data path.
 */
public final class EventFd {

    /** Each thread's 8 bytes to read into or write from. */
    private static final ThreadLocal<MemorySegment> VALUE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

    private EventFd() {
    }

    /**
     * @return a new eventfd, non-blocking and close-on-exec, counter 0; the caller closes it
     * @throws PosixException when the kernel refuses ({@code EMFILE}, ...)
     */
    public static int create() throws PosixException {
        return Epoll.eventFd();
    }

    /**
     * Adds 1 to the counter, waking whoever waits for the descriptor to be readable. A counter
     * already at its maximum ({@code EAGAIN}) is signalled anyway, so that is no failure.
     *
     * @param fd an eventfd (one the peer passed is fine)
     * @throws PosixException when the write fails otherwise ({@code EBADF}, {@code EINVAL} for a
     *                        descriptor that is no eventfd and takes no 8 bytes)
     */
    public static void signal(int fd) throws PosixException {
        MemorySegment value = VALUE.get();
        value.set(JAVA_LONG, 0, 1L);
        long n;
        do {
            n = Libc.write(fd, value, 8);
        } while (n == -Libc.EINTR);
        if (n < 0 && n != -Libc.EAGAIN) {
            throw Libc.error((int) -n);
        }
    }

    /**
     * Reads the counter and so resets it to 0.
     *
     * @param fd a non-blocking eventfd
     * @return whether it had been signalled since the last drain
     * @throws PosixException when the read fails otherwise ({@code EBADF}, ...)
     */
    public static boolean drain(int fd) throws PosixException {
        long n;
        do {
            n = Libc.read(fd, VALUE.get(), 8);
        } while (n == -Libc.EINTR);
        if (n == -Libc.EAGAIN) {
            return false;
        }
        if (n < 0) {
            throw Libc.error((int) -n);
        }
        return n == 8;
    }
}
