package net.driverkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import net.api.NetException;

/**
 * Where a driver may create a file of its own (a capture): anywhere but the deploy directory.
 * Patchbay reads every file there as configuration or as a bundle, so an output written there would
 * be read back as input: a capture named {@code deploy/net.qmp.endpoint-x.cfg} would open a QMP
 * endpoint with whatever bytes the network sent.
 */
public final class OutputFiles {

    /** The framework property naming the deploy directory (FileInstall's; the launcher sets it). */
    public static final String DEPLOY_DIRECTORY = "felix.fileinstall.dir";

    /** No deploy directory: every file is allowed (outside the launcher, in tests). */
    public static final OutputFiles ANYWHERE = new OutputFiles(null);

    /** As the kernel's bound on links followed in one path. */
    private static final int MAX_LINKS = 40;

    private final Path deploy;

    /**
     * @param deploy the deploy directory, or null when there is none
     */
    public OutputFiles(Path deploy) {
        this.deploy = deploy == null ? null : real(deploy.toAbsolutePath().normalize());
    }

    /**
     * @param frameworkProperties the framework's properties, e.g. {@code BundleContext::getProperty}
     * @return the rule for the deploy directory they name, or {@link #ANYWHERE} when they name none
     */
    public static OutputFiles of(UnaryOperator<String> frameworkProperties) {
        String dir = frameworkProperties.apply(DEPLOY_DIRECTORY);
        return dir == null || dir.isBlank() ? ANYWHERE : new OutputFiles(Path.of(dir.trim()));
    }

    /**
     * Refuses a file inside the deploy directory, symbolic links followed, before anything is
     * created.
     *
     * @param file the file as the user named it, relative to the working directory or absolute
     * @throws NetException {@code Parameter 'file' expects a file outside the deploy directory DIR}
     */
    public void check(String file) throws NetException {
        if (deploy == null) {
            return;
        }
        Path path;
        try {
            path = Path.of(file).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return; // no file can have that name: opening it fails with the system's reason
        }
        if (real(path).startsWith(deploy)) {
            throw NetException.generic("Parameter 'file' expects a file outside the deploy directory %s", deploy);
        }
    }

    /**
     * The path with the links in its existing part resolved, a dangling one too (creating the file
     * follows it), and the rest as given.
     */
    private static Path real(Path path) {
        Path resolved = path;
        for (int links = 0; links < MAX_LINKS; links++) {
            Path existing = resolved;
            while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return resolved;
            }
            Path rest = existing.relativize(resolved);
            try {
                return existing.toRealPath().resolve(rest);
            } catch (IOException e) {
                if (!Files.isSymbolicLink(existing)) {
                    return resolved;
                }
                try {
                    resolved = existing.resolveSibling(Files.readSymbolicLink(existing)).normalize().resolve(rest);
                } catch (IOException gone) {
                    return resolved;
                }
            }
        }
        return resolved; // a loop of links: nothing can be created through it
    }
}
