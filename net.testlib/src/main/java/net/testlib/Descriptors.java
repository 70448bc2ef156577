package net.testlib;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * Descriptors a test hands to a netdev by number ({@code fd=N}), as a parent process would.
 * Patchbay takes an inherited number over once per process (a closed number is soon some other
 * file's), while tests in one JVM keep making sockets that the kernel gives recycled numbers; so a
 * hand-over moves the descriptor to a number no earlier hand-over in this JVM used. It also tells
 * what a descriptor is and how many there are, for a test that checks one was taken or closed.
 */
public final class Descriptors {

    /** Well above what a test JVM has open, below the usual 1024 limit. */
    private static final AtomicInteger NEXT = new AtomicInteger(600);
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final MethodHandle FCNTL = Libc.function("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    private Descriptors() {
    }

    /**
     * @return how many descriptors this process has open now ({@code /proc/self/fd}), for leak checks
     * @throws IOException when the directory cannot be read
     */
    public static int openCount() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own descriptor
        }
    }

    /**
     * @param fd a descriptor number of this process
     * @return what it is now ({@code socket:[inode]}, a path), from {@code /proc/self/fd}; null when
     *         it is closed
     */
    public static String file(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @param fd a descriptor the test opened; closed here (never use its old number again, nor a
     *           channel object that held it)
     * @return the same open file under a number never handed over before in this JVM
     * @throws PosixException when the descriptor cannot be duplicated
     */
    public static int handOver(int fd) throws PosixException {
        try {
            int moved = (int) FCNTL.invokeExact(Libc.callState(), fd, F_DUPFD_CLOEXEC, NEXT.getAndIncrement());
            if (moved < 0) {
                throw Libc.error(Libc.errno(Libc.callState()));
            }
            NEXT.updateAndGet(n -> Math.max(n, moved + 1));
            Libc.close(fd);
            return moved;
        } catch (PosixException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
