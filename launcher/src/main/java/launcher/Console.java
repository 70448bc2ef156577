package launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;

/**
 * The Gogo console on the terminal. Its profile is the console bundle's own, placed in the
 * framework's {@code gosh.home} next to an empty greeting, because the launcher prints its own
 * banner in place of Felix's.
 */
final class Console {

    private Console() {
    }

    /**
     * Starts the console; when it reads end of input (Ctrl-D) or runs {@code stop 0}, it stops the
     * framework.
     *
     * @param framework the running framework
     * @throws BundleException when the console does not start
     * @throws IOException     when its home cannot be written
     */
    static void start(EmbeddedFramework framework) throws BundleException, IOException {
        Bundle console = framework.bundle(EmbeddedFramework.CONSOLE);
        Path etc = Files.createDirectories(framework.storage().resolve("gosh").resolve("etc"));
        URL profile = console.getEntry("gosh_profile");
        if (profile != null) {
            try (InputStream in = profile.openStream()) {
                Files.copy(in, etc.resolve("gosh_profile"));
            }
            Files.writeString(etc.resolve("motd"), "");
        }
        framework.start(console);
    }
}
