package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.testlib.Host;
import net.testlib.Installed;
import net.testlib.KernelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Without libslirp, {@code -netdev user} fails with one line naming the package to install: a
 * runtime in a mount namespace where the library is an empty file.
 */
@Timeout(60)
@KernelTest
class MissingLibslirpTest {

    @Test
    void aMissingLibraryIsOneLineNamingThePackage() throws Exception {
        Installed.require("unshare");
        Path library = List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu").stream()
                .map(d -> Path.of(d, Libslirp.LIBRARY)).filter(Files::exists).findFirst().orElseThrow();
        String java = ProcessHandle.current().info().command().orElseThrow();
        Host.Result r = Host.run(30, "unshare", "-m", "sh", "-c", "mount --bind /dev/null \"$0\" && exec \"$@\"",
                library.toRealPath().toString(), java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), UserErrorMain.class.getName(), "id=u");
        assertEquals(0, r.status(), r.output());
        assertEquals(List.of("error: user: libslirp.so.0 not found; install the libslirp0 package"),
                r.output().lines().filter(l -> l.startsWith("error: ")).toList(), r.output());
    }
}
