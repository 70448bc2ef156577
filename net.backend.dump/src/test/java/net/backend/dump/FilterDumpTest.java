package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.control.Section;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Pcap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code filter-dump} in the real runtime: the files tshark reads, truncation, errors, deletion. */
class FilterDumpTest {

    @TempDir
    Path dir;

    private final Rig rig;

    FilterDumpTest() throws Exception {
        rig = new Rig().pair();
    }

    @AfterEach
    void close() throws Exception {
        rig.close();
        Tools.awaitNoWriters();
    }

    @Test
    void recordsBothDirectionsInOrderAndTsharkReadsIt() throws Exception {
        Path pcap = dir.resolve("a.pcap");
        rig.object("filter-dump,id=f1,netdev=a,file=" + pcap);
        List<byte[]> out = Frames.testFrames(0, 50, 60);
        List<byte[]> in = Frames.testFrames(100, 30, 1514);
        List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) { // interleave: a sends (tx), then b sends to a (rx)
            rig.inject.get("a").send(out.subList(i * 5, i * 5 + 5));
            expected.addAll(out.subList(i * 5, i * 5 + 5));
            rig.inject.get("b").send(in.subList(i * 3, i * 3 + 3));
            expected.addAll(in.subList(i * 3, i * 3 + 3));
            int arrived = (i + 1) * 3; // a and b may sit on different loops: let the copies arrive
            Await.until(() -> rig.inject.get("a").count() == arrived, "frames at a");
        }
        rig.runtime.objectDel("f1");

        Pcap.Capture file = Pcap.readFinished(pcap);
        assertEquals(65536, file.snaplen());
        assertEquals(1, file.linkType());
        assertFramesEqual(expected, file.frames());
        assertEquals(Tools.lengths(expected, 65536), Tools.tshark(dir, pcap));
        long previous = 0;
        for (Pcap.Record r : file.records()) {
            long t = r.seconds() * 1_000_000 + r.fraction();
            assertTrue(t >= previous && Math.abs(t / 1000 - System.currentTimeMillis()) < 60_000, "timestamps: " + t);
            previous = t;
        }
    }

    /** filter-dump objects with {@code format=pcapng} and one file share it: one interface each. */
    @Test
    void pcapngFiltersIntoOneFileAreOneInterfaceEach() throws Exception {
        Path pcapng = dir.resolve("ab.pcapng");
        rig.object("filter-dump,id=fa,netdev=a,format=pcapng,queue=tx,file=" + pcapng);
        rig.inject.get("a").send(Frames.testFrames(0, 4, 100));
        Await.until(() -> rig.inject.get("b").count() == 4, "frames at b");
        // fb joins later: its interface block follows fa's frames, as pcapng allows
        rig.object("filter-dump,id=fb,netdev=b,format=pcapng,queue=tx,maxlen=64,file=" + pcapng);
        rig.inject.get("b").send(Frames.testFrames(0, 2, 101)); // odd: padded to 32 bits in the file
        Await.until(() -> rig.inject.get("a").count() == 2, "frames at a");
        rig.runtime.objectDel("fa");
        rig.inject.get("b").send(Frames.testFrames(0, 1, 102)); // fb still writes after fa left
        Await.until(() -> rig.inject.get("a").count() == 3, "frames at a");
        rig.runtime.objectDel("fb");
        try (var tshark = net.testlib.Program.start(dir, "tshark-r-ab", List.of(Tools.TSHARK, "-r", pcapng.toString(),
                "-T", "fields", "-e", "frame.interface_id", "-e", "frame.interface_name", "-e",
                "frame.interface_description", "-e", "frame.len", "-e", "frame.cap_len"))) {
            assertEquals(0, tshark.await(30), tshark.stderr());
            assertEquals("", Tools.warnings(tshark.stderr()));
            List<String> lines = new ArrayList<>(List.of("1\tb\tfb\t101\t64", "1\tb\tfb\t101\t64",
                    "1\tb\tfb\t102\t64"));
            for (int i = 0; i < 4; i++) {
                lines.add(0, "0\ta\tfa\t100\t100");
            }
            assertEquals(lines, tshark.stdout().lines().toList());
        }
        assertEquals("Parameter 'format' does not accept value 'ng'",
                assertThrows(net.api.NetException.class,
                        () -> rig.object("filter-dump,id=fc,netdev=a,format=ng,file=" + pcapng)).getMessage());
    }

    @Test
    void queueSelectsTheDirectionAndInfoShowsTheFilter() throws Exception {
        Path rx = dir.resolve("rx.pcap");
        Path tx = dir.resolve("tx.pcap");
        rig.object("filter-dump,id=frx,netdev=a,queue=rx,file=" + rx);
        rig.object("filter-dump,id=ftx,netdev=a,queue=tx,position=head,file=" + tx + ",maxlen=1000");
        assertEquals("file=" + tx + ",maxlen=1000", rig.filter("a", "ftx").info());
        assertEquals(List.of("ftx", "frx"), rig.runtime.client("a").filters().stream().map(f -> f.id()).toList());
        List<byte[]> out = Frames.testFrames(0, 7, 100);
        List<byte[]> in = Frames.testFrames(50, 9, 200);
        rig.inject.get("a").send(out);
        rig.inject.get("b").send(in);
        Await.until(() -> rig.inject.get("a").count() == in.size(), "frames at a");
        rig.runtime.objectDel("frx");
        rig.runtime.objectDel("ftx");
        assertFramesEqual(in, Pcap.readFinished(rx).frames());
        assertFramesEqual(out, Pcap.readFinished(tx).frames());
        Tools.tshark(dir, rx);
        Tools.tshark(dir, tx);
    }

    @Test
    void maxlenTruncatesAndKeepsTheOriginalLength() throws Exception {
        Path pcap = dir.resolve("short.pcap");
        rig.object("filter-dump,id=f1,netdev=a,file=" + pcap + ",maxlen=100");
        List<byte[]> sent = List.of(Frames.testFrame(1, 60), Frames.testFrame(2, 100), Frames.testFrame(3, 101), Frames.testFrame(4, 1514),
                Frames.testFrame(5, 9000));
        rig.inject.get("a").send(sent);
        rig.runtime.objectDel("f1");
        Pcap.Capture file = Pcap.readFinished(pcap);
        assertEquals(100, file.snaplen());
        for (int i = 0; i < sent.size(); i++) {
            byte[] f = sent.get(i);
            Pcap.Record r = file.records().get(i);
            assertEquals(f.length, r.originalLength());
            assertArrayEquals(java.util.Arrays.copyOf(f, Math.min(100, f.length)), r.data());
        }
        assertEquals(Tools.lengths(sent, 100), Tools.tshark(dir, pcap));
    }

    @Test
    void optionErrorsInQemuWords() { // each checked against QEMU 7.2's -object filter-dump
        assertEquals("Parameter 'file' is missing", rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a"));
        assertEquals("Property 'filter-dump.maxlen' doesn't take value '0'",
                rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a,file=" + dir.resolve("x") + ",maxlen=0"));
        assertEquals("Parameter 'maxlen' expects uint32_t",
                rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a,file=" + dir.resolve("x") + ",maxlen=4294967296"));
        Path missing = dir.resolve("no/such/dir/x.pcap");
        assertEquals("net dump: can't open " + missing + ": No such file or directory",
                rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a,file=" + missing));
        assertEquals("net dump: can't open " + dir + ": Is a directory",
                rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a,file=" + dir));
        // Runtime's own checks still apply to this type.
        assertEquals("Parameter 'netdev' is missing", rig.error(Section.OBJECT, "filter-dump,id=f1,file=x"));
    }

    @Test
    void permissionDeniedAtOpen() throws Exception {
        Path denied = Path.of("/sys/kernel/notes"); // refuses writers, root included
        Assumptions.assumeTrue(Files.exists(denied));
        assertEquals("net dump: can't open " + denied + ": Permission denied",
                rig.error(Section.OBJECT, "filter-dump,id=f1,netdev=a,file=" + denied));
    }

    @Test
    void aNamedPipeWithAReaderGetsTheFramesAndItsReaderSeesTheEndAtObjectDel() throws Exception {
        Path fifo = dir.resolve("reader.pcap");
        Tools.mkfifo(fifo);
        java.util.concurrent.CompletableFuture<byte[]> read = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (var in = Files.newInputStream(fifo)) { // blocks until the capture opens the write end
                return in.readAllBytes(); // to the end: every writer closed
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            Await.until(() -> readerWaits(fifo), "the reader waiting in open");
            // The loop's non-blocking open finds the reader; the writer thread takes the file over.
            rig.object("filter-dump,id=f1,netdev=a,file=" + fifo);
            List<byte[]> frames = Frames.testFrames(0, 5, 100);
            rig.inject.get("a").send(frames);
            rig.runtime.objectDel("f1"); // returns with the frames written and every descriptor closed
            byte[] bytes = read.get(5, java.util.concurrent.TimeUnit.SECONDS);
            Path copy = Files.write(dir.resolve("copy.pcap"), bytes);
            assertFramesEqual(frames, Pcap.readFinished(copy).frames());
        } finally {
            if (!read.isDone()) {
                // Release a reader still blocked in open, so its thread ends with the test.
                try (var ignored = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.WRITE)) {
                    // opening the write end is enough
                }
            }
        }
    }

    /** @return whether some thread of this process is blocked opening {@code fifo} for reading */
    private static boolean readerWaits(Path fifo) {
        return Thread.getAllStackTraces().entrySet().stream().anyMatch(e -> e.getKey().getState() == Thread.State.RUNNABLE
                && java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().contains("open")
                        && f.getClassName().contains("UnixNativeDispatcher")));
    }

    @Test
    void objectDelMidTrafficLeavesAValidPrefix() throws Exception {
        Path pcap = dir.resolve("mid.pcap");
        rig.object("filter-dump,id=f1,netdev=a,file=" + pcap);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread sender = new Thread(() -> {
            try {
                while (running.get()) {
                    int from = sent.get();
                    rig.inject.get("a").send(Frames.testFrames(from, 20, 60 + from % 1400));
                    sent.addAndGet(20);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        sender.start();
        Await.until(() -> sent.get() > 2000, "traffic");
        rig.runtime.objectDel("f1");
        long sizeAtDel = Files.size(pcap);
        Await.until(() -> sent.get() > 4000, "more traffic");
        running.set(false);
        sender.join(10_000);
        assertEquals(sizeAtDel, Files.size(pcap), "nothing written after object-del");
        List<byte[]> recorded = Pcap.readFinished(pcap).frames();
        assertTrue(recorded.size() >= 2000 && recorded.size() < sent.get(), recorded.size() + " of " + sent.get());
        for (int i = 0; i < recorded.size(); i++) {
            assertArrayEquals(Frames.testFrame(i, 60 + (i / 20 * 20) % 1400), recorded.get(i), "frame " + i);
        }
        assertEquals(recorded.size(), Tools.tshark(dir, pcap).size());
        Await.until(() -> rig.inject.get("b").count() == sent.get(), "forwarding never stopped");
    }

    @Test
    void writeErrorStopsTheCaptureNotTheTraffic() throws Exception {
        rig.object("filter-dump,id=full,netdev=a,file=/dev/full");
        List<byte[]> frames = Frames.testFrames(0, 500, 1000);
        rig.inject.get("a").send(frames);
        Await.until(() -> !rig.events(CaptureEvents.STOPPED).isEmpty(), "the stop event");
        Rig.Event e = rig.events(CaptureEvents.STOPPED).get(0);
        assertEquals("full", e.data().get("id"));
        assertEquals("a", e.data().get("netdev"));
        assertEquals("write error on /dev/full: No space left on device", e.data().get("reason"));
        rig.inject.get("a").send(Frames.testFrames(500, 500, 1000));
        Await.until(() -> rig.inject.get("b").count() == 1000, "all frames at b");
        assertTrue(rig.filter("a", "full").info().endsWith("(stopped: write error on /dev/full: No space left on device)"),
                rig.filter("a", "full").info());
        rig.runtime.objectDel("full");
    }

    @Test
    void deletedFileStopsTheCapture() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("gone"));
        Path pcap = sub.resolve("x.pcap");
        rig.object("filter-dump,id=f1,netdev=a,file=" + pcap);
        Files.delete(pcap);
        Files.delete(sub);
        Await.until(() -> !rig.events(CaptureEvents.STOPPED).isEmpty(), "the stop event");
        assertEquals(pcap + " was deleted", rig.events(CaptureEvents.STOPPED).get(0).data().get("reason"));
        rig.inject.get("a").send(Frames.testFrames(0, 10, 60));
        Await.until(() -> rig.inject.get("b").count() == 10, "all frames at b");
    }

    static void assertFramesEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }
}
