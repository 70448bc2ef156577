package net.backend.dump;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import net.posix.Libc;
import net.posix.PosixException;

/** Opening a capture's file the way QEMU does (create, truncate, mode 0644), and naming failures. */
final class CaptureFile {

    /** What {@link #openNow} returns for a FIFO that has no reader yet. */
    static final int NOT_OPEN = -1;

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int O_CREAT = 0100;
    private static final int O_TRUNC = 01000;
    private static final int ENXIO = 6;
    private static final int MODE = 0644;

    /** {@code open(2)} with a mode, which {@link Libc#open} does not pass. */
    private static final MethodHandle OPEN = Libc.function("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));

    private CaptureFile() {
    }

    /**
     * Opens for writing without ever blocking, so it may run on an event loop: creates with mode
     * 0644 (less the umask) or truncates, with O_NONBLOCK, which makes the open of a FIFO without a
     * reader fail with ENXIO instead of waiting. There is no separate look at the file's type first,
     * so a FIFO made in between cannot block the caller either.
     *
     * @param path the capture file
     * @return the descriptor (close-on-exec; for {@link #reopen} on the writer thread), or
     *         {@link #NOT_OPEN} for a FIFO that has no reader yet: the writer opens that by name
     * @throws PosixException as the system reports it ({@code getMessage()} is its strerror text)
     */
    static int openNow(Path path) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libc.callState();
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()),
                    Libc.O_WRONLY | O_CREAT | O_TRUNC | Libc.O_NONBLOCK | Libc.O_CLOEXEC, MODE);
            if (fd >= 0) {
                return fd;
            }
            int errno = Libc.errno(state);
            if (errno == ENXIO) {
                return NOT_OPEN;
            }
            throw Libc.error(errno);
        } catch (PosixException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Opens an existing FIFO for writing without blocking and without creating anything: for the
     * writer looking for a FIFO's next reader (a FIFO deleted meanwhile must not come back as a
     * plain file).
     *
     * @param fifo the named pipe
     * @return the descriptor (close-on-exec; for {@link #reopen}), or {@link #NOT_OPEN} while the
     *         FIFO has no reader
     * @throws PosixException as the system reports it, e.g. {@code No such file or directory}
     */
    static int openReaderNow(Path fifo) throws PosixException {
        try {
            return Libc.open(fifo.toString(), Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        } catch (PosixException e) {
            if (e.errno() == ENXIO) {
                return NOT_OPEN;
            }
            throw e;
        }
    }

    /**
     * A blocking channel on the file behind a descriptor from {@link #openNow}: opened again
     * through {@code /proc/self/fd}, which reaches the very file the descriptor has (not whatever
     * the name means now). Writer thread only: for a FIFO whose reader left, this waits for one.
     *
     * @param fd the descriptor; the caller still closes it
     * @return the channel
     * @throws IOException as the system reports it
     */
    static FileChannel reopen(int fd) throws IOException {
        return FileChannel.open(Path.of("/proc/self/fd/" + fd), StandardOpenOption.WRITE);
    }

    /**
     * Whether the path is a named pipe: opening it for writing blocks until a reader opens it.
     * Only for the writer's side (closing while it waits for a reader); the loop uses {@link #openNow}.
     *
     * @param path the capture file
     * @return true for an existing FIFO
     */
    static boolean isFifo(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            return mode instanceof Integer m && (m & S_IFMT) == S_IFIFO;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Opens for writing: creates with mode 0644 (less the umask) or truncates. Writer thread only.
     *
     * @param path the file; a FIFO blocks here until a reader appears
     * @return the channel
     * @throws IOException as the system reports it
     */
    static FileChannel open(Path path) throws IOException {
        return FileChannel.open(path, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-r--r--")));
    }

    /**
     * The system's words for a failure, as QEMU prints them after its own ({@code strerror}).
     *
     * @param e the failure
     * @return e.g. {@code Permission denied}
     */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
