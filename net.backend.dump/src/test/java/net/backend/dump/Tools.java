package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** External programs the tests use (tshark, mkfifo, QEMU), always with bounded waits and reaped. */
final class Tools {

    static final String TSHARK = "/usr/bin/tshark";
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "test-reaper"));
    }

    private Tools() {
    }

    /** A started program with its output in files. */
    record Run(Process process, Path out, Path err) implements AutoCloseable {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String stderr() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        int await(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                fail(String.join(" ", process.info().commandLine().orElse("?")) + " did not end within " + seconds
                        + " s; stderr: " + stderr());
            }
            return process.exitValue();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            LIVE.remove(process);
        }
    }

    static Run start(Path dir, String name, List<String> command) throws IOException {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(command).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        LIVE.add(p);
        return new Run(p, out, err);
    }

    /**
     * Reads a capture with tshark: exit 0, nothing on stderr.
     *
     * @return one line per frame: {@code frame.len TAB frame.cap_len}
     */
    static List<String> tshark(Path dir, Path pcap) throws Exception {
        try (Run run = start(dir, "tshark-r-" + pcap.getFileName(), List.of(TSHARK, "-r", pcap.toString(),
                "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len"))) {
            int rc = run.await(30);
            assertEquals("", warnings(run.stderr()), "tshark's warnings on " + pcap);
            assertEquals(0, rc, "tshark's exit status on " + pcap);
            return run.stdout().lines().toList();
        }
    }

    /** @return tshark's stderr without its note about running as root (CI containers do) */
    static String warnings(String stderr) {
        return stderr.lines().filter(l -> !l.startsWith("Running as user \"root\"")).reduce("", (a, b) -> a + b + "\n")
                .strip();
    }

    /** Lines tshark prints for frames of the given lengths, stored up to {@code snaplen}. */
    static List<String> lengths(List<byte[]> frames, int snaplen) {
        List<String> out = new ArrayList<>();
        for (byte[] f : frames) {
            out.add(f.length + "\t" + Math.min(f.length, snaplen));
        }
        return out;
    }

    static void mkfifo(Path fifo) throws Exception {
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertTrue(p.waitFor(5, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
    }

    /** Waits (bounded) until no capture writer thread is left, after a test closed its runtime. */
    static void awaitNoWriters() throws InterruptedException {
        await(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("pcap-")),
                "capture threads to end");
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}
