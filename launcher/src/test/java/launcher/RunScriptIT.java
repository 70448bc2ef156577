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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.OsgiTest;
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
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        ProcessBuilder builder = ScriptCheckout.script(root, "--version")
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        if (cache) {
            builder.environment().remove("PATCHBAY_AOT_CACHE");
        } else {
            builder.environment().put("PATCHBAY_AOT_CACHE", "0");
        }
        Process process = builder.start();
        process.getOutputStream().close();
        try {
            assertTrue(process.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "./patchbay did not exit");
        } finally {
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readAllLines(out), Files.readAllLines(err));
    }

    @Test
    void aScriptStoppedWhileItTrainsStopsTheTrainingToo() throws Exception {
        ScriptCheckout.copyTo(root);
        Path err = root.resolve("err.txt");
        ProcessBuilder builder = ScriptCheckout.script(root, "--version")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile());
        builder.environment().remove("PATCHBAY_AOT_CACHE");
        Process script = builder.start();
        try {
            Await.until(() -> Files.readString(err).contains(TRAINING) && !training().isEmpty(), EXIT,
                    "the training JVM runs", () -> text(err));
            script.destroy(); // SIGTERM, as a supervisor stops it
            assertTrue(script.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS), "./patchbay did not exit");
            assertEquals(143, script.exitValue(), "stopped by SIGTERM");
            Await.until(() -> training().isEmpty(), Await.DEFAULT, "the training JVM is gone", () -> training().toString());
            assertEquals(List.of(), caches(), "nothing half trained is kept");
        } finally {
            script.destroyForcibly();
            training().forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
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
