package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import net.testlib.Program;

/** What the capture tests need beyond the test kit: tshark's verdict on a file, FIFOs, the writer threads. */
final class Tools {

    static final String TSHARK = "/usr/bin/tshark";

    private Tools() {
    }

    /**
     * Reads a capture with tshark: exit 0, nothing on stderr.
     *
     * @return one line per frame: {@code frame.len TAB frame.cap_len}
     */
    static List<String> tshark(Path dir, Path pcap) throws Exception {
        try (Program run = Program.start(dir, "tshark-r-" + pcap.getFileName(), List.of(TSHARK, "-r", pcap.toString(),
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
    static void awaitNoWriters() throws Exception {
        Await.until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("pcap-")),
                "capture threads to end");
    }
}
