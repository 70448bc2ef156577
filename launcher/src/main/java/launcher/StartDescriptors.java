package launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import net.driverkit.InheritedDescriptors;

/**
 * Notes which descriptors the parent process handed over, before Patchbay opens any of its own,
 * so {@code fd=N} can take only those (and the ones QMP clients pass): a number naming one of
 * Patchbay's own descriptors (its epoll, a listener, a log) is refused instead of seized.
 */
final class StartDescriptors {

    private StartDescriptors() {
    }

    /**
     * Records the descriptors open now in {@value InheritedDescriptors#INHERITED_PROPERTY}. The
     * JVM has opened regular files of its own by now (its module image, the jar): those are left
     * out, and a regular file serves no netdev anyway.
     */
    static void record() {
        StringJoiner open = new StringJoiner(",");
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                // The stream's own descriptor is a directory: left out with the files.
                if (!Files.isRegularFile(fd) && !Files.isDirectory(fd)) {
                    open.add(fd.getFileName().toString());
                }
            }
        } catch (IOException e) {
            return; // no /proc: every number is accepted, as before
        }
        System.setProperty(InheritedDescriptors.INHERITED_PROPERTY, open.toString());
    }
}
