package net.backend.dump;

import java.io.IOException;
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

/** Opening a capture's file the way QEMU does (create, truncate, mode 0644), and naming failures. */
final class CaptureFile {

    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private CaptureFile() {
    }

    /**
     * Whether the path is a named pipe: opening it for writing blocks until a reader opens it,
     * so it must never be opened on an event loop.
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
     * Opens for writing: creates with mode 0644 (less the umask) or truncates.
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
