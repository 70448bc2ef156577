package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.control.dto.FilterDTO;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Pcap;
import net.testlib.Program;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live capture: QMP's x-capture-start/stop, the console's net:capture, named pipes read by tshark. */
class LiveCaptureTest {

    @TempDir
    Path dir;

    private Rig rig;
    private LiveCaptures live;

    private void rig(int ringSize) throws Exception {
        rig = new Rig(ringSize).pair();
        live = new LiveCaptures(rig.runtime);
    }

    @AfterEach
    void close() throws Exception {
        if (live != null) {
            live.close();
        }
        if (rig != null) {
            rig.close();
        }
        Tools.awaitNoWriters();
    }

    @Test
    void qmpCommandsRunSeveralCapturesAsFilterObjects() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureStartCommand start = new CaptureStartCommand(live);
        CaptureStopCommand stop = new CaptureStopCommand(live);
        Path pa = dir.resolve("a.pcap");
        Path pb = dir.resolve("b.pcap");
        assertEquals(Map.of("id", "capture0"), start.execute(new CaptureStartArguments("a", pa.toString(), null)));
        assertEquals(Map.of("id", "capture1"), start.execute(new CaptureStartArguments("b", pb.toString(), 100L)));
        FilterDTO f = rig.filter("b", "capture1");
        assertEquals("filter-dump", f.type());
        assertEquals("file=" + pb + ",maxlen=100", f.info());
        assertEquals(Map.of(DumpFilterDriver.DROPPED, 0L, DumpFilterDriver.NO_READER, 0L), f.counters());
        List<byte[]> frames = Frames.testFrames(0, 30, 500);
        rig.inject.get("a").send(frames);
        Await.until(() -> rig.inject.get("b").count() == 30, "frames at b");
        assertEquals(null, stop.execute(new CaptureStopArguments("capture0")));
        assertEquals(null, stop.execute(new CaptureStopArguments("capture1")));
        assertTrue(rig.runtime.client("a").filters().isEmpty());
        FilterDumpTest.assertFramesEqual(frames, Pcap.readFinished(pa).frames());
        assertEquals(Tools.lengths(frames, 65536), Tools.tshark(dir, pa));
        assertEquals(Tools.lengths(frames, 100), Tools.tshark(dir, pb));

        // A write error stops a capture; it stays listed, with the reason, until it is stopped.
        assertEquals(Map.of("id", "capture2"), start.execute(new CaptureStartArguments("a", "/dev/full", null)));
        rig.inject.get("a").send(frames.subList(0, 1));
        Await.until(() -> state(0).startsWith("stopped"), "the capture to stop");
        assertEquals(List.of(new LiveCaptures.Listed("capture2", "a", "/dev/full", false,
                "stopped: write error on /dev/full: No space left on device", Map.of())),
                new CaptureQueryCommand(live).execute(new CaptureQueryArguments()));
        assertEquals(null, stop.execute(new CaptureStopArguments("capture2")));

        assertEquals("capture 'capture0' not found", error(() -> stop.execute(new CaptureStopArguments("capture0"))));
        assertEquals("Device 'nope' not found",
                error(() -> start.execute(new CaptureStartArguments("nope", pa.toString(), null))));
        assertEquals("Property 'filter-dump.maxlen' doesn't take value '0'",
                error(() -> start.execute(new CaptureStartArguments("a", pa.toString(), 0L))));
    }

    @Test
    void consoleCaptureIntoANamedPipeReadByTshark() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureCommands console = new CaptureCommands(live);
        String out = console.capture("a", "-");
        Path fifo = live.list().get(0).file();
        assertTrue(CaptureFile.isFifo(fifo), out);
        assertTrue(out.contains("\n  wireshark -k -i " + fifo + "\n") && out.contains("\n  tshark -i " + fifo + "\n"), out);
        assertTrue(console.capture().contains("capture0  a       " + fifo + " (named pipe)"), console.capture());
        List<byte[]> frames = Frames.testFrames(0, 20, 700);
        try (Program tshark = Program.start(dir, "tshark-i", List.of(Tools.TSHARK, "-i", fifo.toString(), "-c", "20",
                "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len"))) {
            rig.inject.get("a").send(frames); // before or after tshark opens the pipe: the ring holds them
            assertEquals(0, tshark.await(30), tshark.stderr());
            assertEquals(Tools.lengths(frames, 65536), tshark.stdout().lines().toList());
        }
        // The reader is gone: the next write fails with EPIPE; the capture waits for the next reader.
        rig.inject.get("a").send(Frames.testFrames(20, 20, 700));
        Await.until(() -> state(0).equals(Capture.READER_LEFT), "the capture to see its reader leave");
        rig.inject.get("a").send(Frames.testFrames(40, 5, 600));
        Await.until(() -> rig.inject.get("b").count() == 45, "every frame at b");
        assertEquals(Map.of(DumpFilterDriver.NO_READER, 5L), live.describe().get(0).counters());
        assertTrue(console.capture().contains(" " + Capture.READER_LEFT + ", capture-no-reader=5"), console.capture());
        // tshark started again reads a fresh stream: its own header, then the frames sent since.
        List<byte[]> again = Frames.testFrames(50, 10, 300);
        try (Program tshark = Program.start(dir, "tshark-i-again", List.of(Tools.TSHARK, "-i", fifo.toString(), "-c",
                "10", "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len"))) {
            Await.until(() -> state(0).equals("recording"), "the capture to find its next reader");
            rig.inject.get("a").send(again);
            assertEquals(0, tshark.await(30), tshark.stderr());
            assertEquals(Tools.lengths(again, 65536), tshark.stdout().lines().toList());
        }
        assertTrue(rig.events(CaptureEvents.STOPPED).isEmpty(), "no stop: " + rig.events(CaptureEvents.STOPPED));
        assertEquals("capture0 stopped", console.capture("--stop", "capture0"));
        assertFalse(Files.exists(fifo));
        assertFalse(Files.exists(fifo.getParent()));
    }

    @Test
    void aFullRingDropsAndCountsWithoutBlockingAndObjectDelReleasesAnUnreadPipe() throws Exception {
        rig(64 * 1024);
        Path fifo = dir.resolve("unread.pcap");
        Tools.mkfifo(fifo);
        long t0 = System.nanoTime();
        rig.object("filter-dump,id=f1,netdev=a,file=" + fifo); // must not wait for a reader
        rig.inject.get("a").send(Frames.testFrames(0, 200, 1000));
        Await.until(() -> rig.inject.get("b").count() == 200, "every frame at b");
        FilterDTO f = rig.runtime.client("a").filters().get(0);
        long lost = f.counters().get(DumpFilterDriver.DROPPED);
        assertTrue(lost > 100 && lost < 200, "frames not recorded: " + lost);
        assertEquals("file=" + fifo + ",maxlen=65536", f.info(), "the counter says it, not the info");
        rig.runtime.objectDel("f1");
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "no wait for a reader");
    }

    private String state(int capture) {
        return live.describe().get(capture).state();
    }

    private interface Call {
        void run() throws NetException;
    }

    private static String error(Call call) {
        try {
            call.run();
        } catch (NetException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }
}
