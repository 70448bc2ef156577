package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.OsgiTest;
import net.testlib.Program;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run script {@code ./patchbay} on a copy of the built jar (in a directory without sources,
 * so it builds nothing): with {@code PATCHBAY_AOT_CACHE=0} it trains and uses no start-up cache;
 * by default, the cache it trains belongs to that jar, and a changed jar gets a new one instead of
 * the stale one; a script stopped while it trains leaves no training JVM behind.
 */
@OsgiTest
class RunScriptIT {

    private static final Duration EXIT = Duration.ofSeconds(120);
    private static final String TRAINING = "patchbay: training the start-up cache for this build (once, some seconds)";

    @TempDir
    Path root;

    private record Run(int code, List<String> out, List<String> err) {
    }

    private Run version() throws IOException, InterruptedException {
        return version(true);
    }

    private Run version(boolean cache) throws IOException, InterruptedException {
        try (Program script = ScriptCheckout.start(root, "version", env -> {
            if (cache) {
                env.remove("PATCHBAY_AOT_CACHE");
            } else {
                env.put("PATCHBAY_AOT_CACHE", "0");
            }
        }, "--version")) {
            int code = script.await(EXIT.toSeconds());
            return new Run(code, script.stdout().lines().toList(), script.stderr().lines().toList());
        }
    }

    @Test
    void aScriptStoppedWhileItTrainsStopsTheTrainingToo() throws Exception {
        ScriptCheckout.copyTo(root);
        try (Program script = ScriptCheckout.start(root, "training", env -> env.remove("PATCHBAY_AOT_CACHE"), "--version")) {
            Await.until(() -> script.stderr().contains(TRAINING) && !training().isEmpty(), EXIT,
                    "the training JVM runs", script::describe);
            script.process().destroy(); // SIGTERM, as a supervisor stops it
            assertEquals(143, script.await(EXIT.toSeconds()), "stopped by SIGTERM");
            Await.until(() -> training().isEmpty(), Await.DEFAULT, "the training JVM is gone", () -> training().toString());
            assertEquals(List.of(), caches(), "nothing half trained is kept");
        } finally {
            training().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** @return the JVMs training a cache for this checkout's jar */
    private List<ProcessHandle> training() {
        String jar = root.resolve("launcher/target/patchbay.jar").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().filter(c -> c.contains("-XX:AOTCacheOutput=") && c.contains(jar)).isPresent())
                .toList();
    }

    private List<Path> caches() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("launcher/target"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
        }
    }

    @Test
    void aChangedJarTrainsANewCacheAndNeverMapsTheStaleOne() throws Exception {
        Path jar = ScriptCheckout.copyTo(root);

        Run plain = version(false);
        assertEquals(0, plain.code(), "exit code; stderr " + plain.err());
        assertEquals(List.of(), plain.err(), "no training when turned off");
        assertEquals(List.of(), caches(), "no cache when turned off");

        Run first = version();
        assertEquals(0, first.code(), "exit code; stderr " + first.err());
        assertEquals(1, first.out().size(), "stdout " + first.out());
        assertTrue(first.out().get(0).startsWith("patchbay "), first.out().get(0));
        assertEquals(List.of(TRAINING), first.err());
        List<Path> trained = caches();
        assertEquals(1, trained.size(), "caches " + trained);
        assertTrue(trained.get(0).getFileName().toString().startsWith("patchbay.jar." + Files.size(jar) + "-"), trained.toString());

        Run second = version();
        assertEquals(0, second.code());
        assertEquals(first.out(), second.out());
        assertEquals(List.of(), second.err(), "the cache is used as it is");
        assertEquals(trained, caches());

        // A rebuilt jar: other bytes, another size and time.
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            Files.writeString(zip.getPath("rebuilt.txt"), "rebuilt");
        }
        Run third = version();
        assertEquals(0, third.code(), "stderr " + third.err());
        assertEquals(first.out(), third.out());
        assertEquals(List.of(TRAINING), third.err(), "the stale cache is not used");
        List<Path> retrained = caches();
        assertEquals(1, retrained.size(), "the stale cache is removed: " + retrained);
        assertFalse(retrained.equals(trained), "a new cache: " + retrained);
        assertTrue(retrained.get(0).getFileName().toString().startsWith("patchbay.jar." + Files.size(jar) + "-"), retrained.toString());
    }
}
