package net.itest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * A temporary folder watched by Apache Felix FileInstall, as a launcher's {@code deploy/} is.
 * FileInstall reads its settings from framework properties, which fall back to system properties,
 * so they are set before the FileInstall bundle is installed and started.
 */
final class WatchedFolder implements AutoCloseable {

    private static final List<String> SETTINGS = List.of(
            "felix.fileinstall.dir", "felix.fileinstall.poll", "felix.fileinstall.noInitialDelay",
            "felix.fileinstall.enableConfigSave");

    private final Path dir;
    private final Bundle fileInstall;

    private WatchedFolder(Path dir, Bundle fileInstall) {
        this.dir = dir;
        this.fileInstall = fileInstall;
    }

    /**
     * Creates the folder and installs and starts FileInstall on it, polling every 200 ms.
     *
     * @param context the test bundle's context
     * @return the watched folder
     */
    static WatchedFolder start(BundleContext context) throws IOException, BundleException {
        Path dir = Files.createTempDirectory(Path.of("target"), "deploy-").toAbsolutePath();
        System.setProperty("felix.fileinstall.dir", dir.toString());
        System.setProperty("felix.fileinstall.poll", "200");
        System.setProperty("felix.fileinstall.noInitialDelay", "true");
        // No write-back of configurations into the folder: on Equinox it once truncated a .cfg to 0 bytes.
        System.setProperty("felix.fileinstall.enableConfigSave", "false");
        Bundle fileInstall = context.installBundle(Provisioning.url(Provisioning.FILEINSTALL));
        fileInstall.start();
        return new WatchedFolder(dir, fileInstall);
    }

    /**
     * Copies a file in under its own name, atomically, so FileInstall never sees half a file.
     *
     * @param source the file
     * @return the copy in the folder
     */
    Path copyIn(Path source) throws IOException {
        Path staged = Files.copy(source, dir.resolveSibling(dir.getFileName() + "-" + source.getFileName()),
                StandardCopyOption.REPLACE_EXISTING);
        return Files.move(staged, dir.resolve(source.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes a file in, atomically.
     *
     * @param name    the file name
     * @param content its text
     * @return the file
     */
    Path write(String name, String content) throws IOException {
        Path staged = Files.writeString(dir.resolveSibling(dir.getFileName() + "-" + name), content);
        return Files.move(staged, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Removes FileInstall, forgets its settings and removes the folder. */
    @Override
    public void close() throws BundleException, IOException {
        fileInstall.uninstall();
        SETTINGS.forEach(System::clearProperty);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
