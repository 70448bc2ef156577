package launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Felix's storage as it is right after the launcher installed its run set, nothing started, kept
 * beside the launcher's jar for that very jar: a start that finds it gives Felix a copy, and Felix
 * reads the 39 bundles back from it instead of having each copied out of the jar and installed
 * (docs/performance.md, "Start time"). Its name carries the jar's size and modification time, as
 * {@code ./patchbay}'s AOT cache does, so a rebuilt jar never starts an old build's bundles; the
 * first start of a build makes it, and removes the ones older builds left. A directory the user
 * cannot write to gets none, and every start installs as before.
 *
 * <p>The bundle jars are hard-linked into the copy (Felix only reads them; what it writes, such as
 * a bundle's state, are other files, which are copied): a copy took 0.045 s where installing took
 * 0.3 s, and Felix reading the copy back 0.13 s more than an empty storage.
 */
final class InstalledBundles {

    private static final String SUFFIX = ".bundles";
    /** Felix's lock on the storage of a running framework, which a copy must not carry. */
    private static final String FELIX_LOCK = "cache.lock";

    private final Path template;
    /** What every build's template of this jar is named from: {@code patchbay.jar.} */
    private final String prefix;

    private InstalledBundles(Path launcher, String key) {
        prefix = launcher.getFileName() + ".";
        template = launcher.resolveSibling(prefix + key + SUFFIX);
    }

    /**
     * @param launcher the launcher's jar, or its classes directory (tests), which gets none
     * @return where this jar's installed bundles are kept
     */
    static Optional<InstalledBundles> of(Path launcher) {
        if (!Files.isRegularFile(launcher)) {
            return Optional.empty();
        }
        try {
            String key = Files.size(launcher) + "-" + Files.getLastModifiedTime(launcher).toMillis();
            return Optional.of(new InstalledBundles(launcher, key));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Copies the kept storage into a new framework's.
     *
     * @param storage Felix's storage directory, not there yet
     * @return whether there was one to copy; when not, or when the copy fails, nothing is left
     */
    boolean copyTo(Path storage) {
        if (!Files.isDirectory(template)) {
            return false;
        }
        try {
            copy(template, storage);
            return true;
        } catch (IOException | UncheckedIOException e) {
            deleteQuietly(storage);
            return false;
        }
    }

    /**
     * Keeps a framework's storage, taken after its run set is installed and before anything
     * starts, for the starts after this one; quietly does nothing when it cannot.
     */
    void keep(Path storage) {
        Path dir = template.getParent();
        Path making = null;
        try {
            // Made under a temporary name and renamed: a start beside this one never copies half.
            making = FrameworkStorage.createPrivateDirectory(dir,
                    "." + template.getFileName() + "-" + ProcessHandle.current().pid() + "-");
            copy(storage, making.resolve("storage"));
            Files.move(making.resolve("storage"), template);
            removeOthers(dir);
        } catch (FileAlreadyExistsException e) {
            // another start kept the same meanwhile
        } catch (IOException | UncheckedIOException | SecurityException e) {
            // a directory this user cannot write to: every start installs
        } finally {
            if (making != null) {
                deleteQuietly(making);
            }
        }
    }

    /** Removes what older builds of the same jar kept. */
    private void removeOthers(Path dir) throws IOException {
        try (DirectoryStream<Path> kept = Files.newDirectoryStream(dir, prefix + "*" + SUFFIX)) {
            for (Path other : kept) {
                if (!other.equals(template)) {
                    FrameworkStorage.delete(other);
                }
            }
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            walk.forEach(source -> {
                Path target = to.resolve(from.relativize(source).toString());
                try {
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else if (source.getFileName().toString().endsWith(".jar")) {
                        link(source, target);
                    } else if (!source.getFileName().toString().equals(FELIX_LOCK)) {
                        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void link(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            // another file system, or one without hard links
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    private static void deleteQuietly(Path directory) {
        try {
            FrameworkStorage.delete(directory);
        } catch (IOException | UncheckedIOException e) {
            // what is left is not ours to remove
        }
    }
}
