package launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The framework's storage: a directory {@code patchbay-PID-*} in the temporary directory, locked
 * for as long as this process lives, removed when it stops. A process killed outright (SIGKILL,
 * a crash) cannot remove its own, so every start removes those whose lock nobody holds any more:
 * the kernel drops a process's locks when it dies, however it dies, which a pid alone cannot tell
 * (pids are reused, and a container sharing the temporary directory has pids of its own).
 */
final class FrameworkStorage implements AutoCloseable {

    private static final String PREFIX = "patchbay-";
    private static final String LOCK = "lock";
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private final Path directory;
    private final FileChannel lockFile;

    private FrameworkStorage(Path directory, FileChannel lockFile) {
        this.directory = directory;
        this.lockFile = lockFile;
    }

    /**
     * Makes and locks a fresh storage directory, then removes the ones dead processes left.
     *
     * @return the storage
     * @throws IOException when the directory cannot be made or locked
     */
    static FrameworkStorage create() throws IOException {
        // Made under a name the clean-up passes over, and named only once locked: another start
        // cleaning up meanwhile never finds it unlocked.
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        Path making = createPrivateDirectory(temp, "." + PREFIX + ProcessHandle.current().pid() + "-");
        Path directory = making;
        FileChannel lockFile = null;
        try {
            lockFile = FileChannel.open(making.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lockFile.lock();
            directory = Files.move(making, making.resolveSibling(making.getFileName().toString().substring(1)));
        } catch (IOException | RuntimeException e) {
            if (lockFile != null) {
                lockFile.close();
            }
            delete(directory);
            throw e;
        }
        FrameworkStorage storage = new FrameworkStorage(directory, lockFile);
        removeStale(directory.getParent(), directory);
        return storage;
    }

    /**
     * Makes a directory only its owner can use, named by the prefix and the clock, as
     * {@link Files#createTempDirectory} would, without its random name: setting up the JDK's
     * random source took a start 18 ms of the main thread with the AOT cache (28 ms without).
     * The prefix carries the pid where names must not clash across processes; a name taken
     * meanwhile is tried again with the next clock reading.
     *
     * @param parent where
     * @param prefix the name's beginning
     * @return the new directory
     * @throws IOException when it cannot be made
     */
    static Path createPrivateDirectory(Path parent, String prefix) throws IOException {
        for (int attempt = 1;; attempt++) {
            try {
                return Files.createDirectory(parent.resolve(prefix + System.nanoTime()), OWNER_ONLY);
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    /** @return the directory */
    Path directory() {
        return directory;
    }

    /** Removes the directory and lets its lock go; safe to repeat. */
    @Override
    public synchronized void close() {
        if (Files.exists(directory)) {
            try {
                delete(directory);
            } catch (IOException | UncheckedIOException e) {
                System.err.println("patchbay: cannot remove " + directory + ": " + e.getMessage());
            }
        }
        try {
            lockFile.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    /** Removes the storage directories whose owner has died: their lock can be taken. */
    static void removeStale(Path temp, Path own) {
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(temp, PREFIX + "*")) {
            for (Path candidate : candidates) {
                if (!candidate.equals(own) && isStale(candidate)) {
                    try {
                        delete(candidate);
                    } catch (IOException | UncheckedIOException e) {
                        // another start removed it meanwhile, or it is not ours to remove
                    }
                }
            }
        } catch (IOException e) {
            // nothing to clean that could be listed
        }
    }

    private static boolean isStale(Path candidate) {
        Path lock = candidate.resolve(LOCK);
        if (!Files.isDirectory(candidate) || !Files.isRegularFile(lock)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
            FileLock taken = channel.tryLock();
            return taken != null; // released when the channel closes
        } catch (IOException | OverlappingFileLockException e) {
            return false; // held, gone, or not ours
        }
    }

    /** Removes a directory and everything in it; one removed meanwhile is no error. */
    static void delete(Path directory) throws IOException {
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (NoSuchFileException e) {
            // removed by someone else meanwhile
        }
    }
}
