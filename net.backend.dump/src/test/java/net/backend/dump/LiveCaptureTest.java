package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.control.dto.FilterDTO;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.KernelTest;
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
        assertEquals(Map.of("id", "capture0", "file", pa.toString()),
                start.execute(new CaptureStartArguments("a", null, pa.toString(), null, null, null, null)));
        assertEquals(Map.of("id", "capture1", "file", pb.toString()),
                start.execute(new CaptureStartArguments("b", null, pb.toString(), 100L, null, null, null)));
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
        assertEquals(Map.of("id", "capture2", "file", "/dev/full"),
                start.execute(new CaptureStartArguments("a", null, "/dev/full", null, null, null, null)));
        rig.inject.get("a").send(frames.subList(0, 1));
        Await.until(() -> state(0).startsWith("stopped"), "the capture to stop");
        assertEquals(List.of(new LiveCaptures.Listed("capture2", List.of("a"), "/dev/full", false, "pcap",
                "stopped: write error on /dev/full: No space left on device", Map.of())),
                new CaptureQueryCommand(live).execute(new CaptureQueryArguments()));
        assertEquals(null, stop.execute(new CaptureStopArguments("capture2")));

        assertEquals("capture 'capture0' not found", error(() -> stop.execute(new CaptureStopArguments("capture0"))));
        assertEquals("Device 'nope' not found",
                error(() -> start.execute(new CaptureStartArguments("nope", null, pa.toString(), null, null, null,
                        null))));
        assertEquals("Property 'filter-dump.maxlen' doesn't take value '0'",
                error(() -> start.execute(new CaptureStartArguments("a", null, pa.toString(), 0L, null, null, null))));
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
        Await.until(() -> state(0).equals(Capture.NO_READER_YET), "the capture to wait for its reader");
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
        // The 5, and those of the 20 the loop recorded after the writer had seen EPIPE.
        long noReader = live.describe().get(0).counters().get(DumpFilterDriver.NO_READER);
        assertTrue(noReader >= 5 && noReader <= 25, "frames counted while no reader: " + noReader);
        assertTrue(console.capture().contains(" " + Capture.READER_LEFT + ", capture-no-reader=" + noReader),
                console.capture());
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

    /**
     * QMP makes a named pipe too, with the group and mode asked for: another user of that group
     * reads it, and without them nobody but Patchbay's user can.
     */
    @Test
    @KernelTest
    void qmpMakesANamedPipeThatTheGroupGivenReads() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureStartCommand start = new CaptureStartCommand(live);
        @SuppressWarnings("unchecked")
        Map<String, Object> reply = (Map<String, Object>) start.execute(
                new CaptureStartArguments("a", null, "-", null, null, "nogroup", null));
        Path fifo = Path.of((String) reply.get("file"));
        assertEquals("capture0", reply.get("id"));
        assertTrue(CaptureFile.isFifo(fifo), fifo.toString());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
        assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo.getParent())));
        assertEquals("nogroup", Files.readAttributes(fifo, PosixFileAttributes.class).group().getName());
        assertEquals("nogroup", Files.readAttributes(fifo.getParent(), PosixFileAttributes.class).group().getName());
        try (Program nobody = Program.start(dir, "read-as-nobody", asNobody("od", "-A", "n", "-t", "x1", "-N", "4",
                fifo.toString()))) {
            assertEquals(0, nobody.await(30), nobody.stderr());
            assertEquals("d4 c3 b2 a1", nobody.stdout().strip(), "the pcap magic, read by nobody:nogroup");
        }

        Map<?, ?> own = (Map<?, ?>) start.execute(new CaptureStartArguments("a", null, "-", null, null, null, null));
        Path mine = Path.of((String) own.get("file"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));
        try (Program nobody = Program.start(dir, "refused-to-nobody", asNobody("od", "-N", "4", mine.toString()))) {
            assertEquals(1, nobody.await(30));
            assertTrue(nobody.stderr().contains("Permission denied"), nobody.stderr());
        }

        assertEquals("Parameter 'mode' expects an octal file mode such as 0640",
                error(() -> start.execute(new CaptureStartArguments("a", null, "-", null, "rw-r-----", null, null))));
        assertEquals("group 'no-such-group' not found",
                error(() -> start.execute(new CaptureStartArguments("a", null, "-", null, null, "no-such-group", null))));
        assertEquals("Parameters 'mode' and 'group' are only for a named pipe (file '-')",
                error(() -> start.execute(new CaptureStartArguments("a", null, dir.resolve("x.pcap").toString(), null,
                        "0644", null, null))));
        assertEquals(2, live.list().size(), "nothing left behind by a refused start");
    }

    private static List<String> asNobody(String... command) {
        List<String> out = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups", "--"));
        out.addAll(List.of(command));
        return out;
    }

    @Test
    void consoleOptionsGiveThePipeItsReaders() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureCommands console = new CaptureCommands(live);
        String out = console.capture("a", "-", "maxlen=100,mode=0644");
        Path fifo = live.list().get(0).file();
        assertTrue(out.startsWith("capture0: recording a into the named pipe " + fifo + " (mode 0644)\n"), out);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
        assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo.getParent())));
        String info = "file=" + fifo + ",maxlen=100 (" + Capture.NO_READER_YET + ")";
        Await.until(() -> rig.filter("a", "capture0").info().equals(info), "info: " + info);
        assertEquals("Invalid parameter 'owner'", console.capture("a", "-", "owner=me"));
        assertEquals("Parameter 'maxlen' expects uint32_t", console.capture("a", "-", "maxlen=lots"));
    }

    /**
     * Several netdevs into one named pipe: pcapng, one interface per netdev, and a reader started
     * again gets the section header and every interface again.
     */
    @Test
    void severalNetdevsIntoOnePcapngPipeOneInterfaceEach() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureCommands console = new CaptureCommands(live);
        console.capture("a,b", "-");
        LiveCaptures.Started c = live.list().get(0);
        assertEquals(List.of("capture0-a", "capture0-b"), c.filters());
        assertEquals("a+b.pcapng", c.file().getFileName().toString());
        String info = "file=" + c.file() + ",maxlen=65536,format=pcapng (" + Capture.NO_READER_YET + ")";
        Await.until(() -> rig.filter("a", "capture0-a").info().equals(info), "info: " + info);
        assertTrue(console.capture().contains("capture0  a,b "), console.capture());
        for (int round = 0; round < 2; round++) {
            try (Program tshark = Program.start(dir, "tshark-pcapng-" + round, List.of(Tools.TSHARK, "-i",
                    c.file().toString(), "-c", "6", "-T", "fields", "-e", "frame.interface_name", "-e",
                    "frame.interface_description", "-e", "frame.len"))) {
                if (round == 1) {
                    Await.until(() -> state(0).equals("recording"), "the capture to find its next reader");
                }
                rig.inject.get("a").send(Frames.testFrames(0, 2, 100 + round));
                int atB = 2 + round * 3;
                Await.until(() -> rig.inject.get("b").count() == atB, "frames at b");
                rig.inject.get("b").send(Frames.testFrames(10, 1, 300 + round));
                assertEquals(0, tshark.await(30), tshark.stderr());
                // The writer drains the netdevs' rings in turn: sorted, not in time order.
                assertEquals(List.of("a\tcapture0-a\t" + (100 + round), "a\tcapture0-a\t" + (100 + round),
                        "a\tcapture0-a\t" + (300 + round), "b\tcapture0-b\t" + (100 + round),
                        "b\tcapture0-b\t" + (100 + round), "b\tcapture0-b\t" + (300 + round)),
                        tshark.stdout().lines().sorted().toList());
            }
            if (round == 0) { // the next frame finds the reader gone
                rig.inject.get("a").send(Frames.testFrames(20, 1, 60));
                Await.until(() -> state(0).equals(Capture.READER_LEFT), "the capture to see its reader leave");
            }
        }
        assertEquals("capture0 stopped", console.capture("--stop", "capture0"));
        assertTrue(rig.runtime.client("a").filters().isEmpty() && rig.runtime.client("b").filters().isEmpty());
        assertFalse(Files.exists(c.file()));
    }

    @Test
    void qmpRecordsSeveralNetdevsIntoOnePcapngFile() throws Exception {
        rig(CaptureRing.DEFAULT_CAPACITY);
        CaptureStartCommand start = new CaptureStartCommand(live);
        Path file = dir.resolve("ab.pcapng");
        assertEquals(Map.of("id", "capture0", "file", file.toString()), start.execute(
                new CaptureStartArguments(null, List.of("b", "a"), file.toString(), 200L, null, null, null)));
        rig.inject.get("a").send(Frames.testFrames(0, 3, 1000));
        Await.until(() -> rig.inject.get("b").count() == 3, "frames at b");
        new CaptureStopCommand(live).execute(new CaptureStopArguments("capture0"));
        try (Program tshark = Program.start(dir, "tshark-r-pcapng", List.of(Tools.TSHARK, "-r", file.toString(),
                "-T", "fields", "-e", "frame.interface_id", "-e", "frame.interface_name", "-e", "frame.len", "-e",
                "frame.cap_len"))) {
            assertEquals(0, tshark.await(30), tshark.stderr());
            assertEquals("", Tools.warnings(tshark.stderr()));
            assertEquals(List.of("0\tb\t1000\t200", "0\tb\t1000\t200", "0\tb\t1000\t200",
                    "1\ta\t1000\t200", "1\ta\t1000\t200", "1\ta\t1000\t200"),
                    tshark.stdout().lines().sorted().toList());
        }
        assertEquals("Parameter 'format' expects pcapng for several netdevs", error(() -> start.execute(
                new CaptureStartArguments(null, List.of("a", "b"), file.toString(), null, null, null, "pcap"))));
        assertEquals("Parameter 'format' does not accept value 'pcap-ng'", error(() -> start.execute(
                new CaptureStartArguments("a", null, file.toString(), null, null, null, "pcap-ng"))));
        assertEquals("Parameters 'netdev' and 'netdevs' are mutually exclusive", error(() -> start.execute(
                new CaptureStartArguments("a", List.of("b"), file.toString(), null, null, null, null))));
        assertEquals("Device 'c' not found", error(() -> start.execute(
                new CaptureStartArguments(null, List.of("a", "c"), file.toString(), null, null, null, null))));
        assertTrue(live.list().isEmpty() && rig.runtime.client("a").filters().isEmpty());
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
        String waiting = "file=" + fifo + ",maxlen=65536 (" + Capture.NO_READER_YET + ")";
        Await.until(() -> rig.runtime.client("a").filters().get(0).info().equals(waiting), "the info to say it waits");
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
