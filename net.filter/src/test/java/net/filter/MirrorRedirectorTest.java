package net.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.api.SendResult;
import net.control.Section;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** filter-mirror and filter-redirector against real unix sockets, QEMU's framing both ways. */
class MirrorRedirectorTest {

    @TempDir
    Path dir;

    private SocketChannel serverChardev(Rig rig, String id) throws Exception {
        Path path = dir.resolve(id + ".sock");
        rig.chardev("socket,id=" + id + ",path=" + path + ",server=on,wait=off");
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    private static String chardevFilename(Rig rig, String id) {
        return rig.chardevs.list().stream().filter(i -> i.label().equals(id)).findFirst().orElseThrow().filename();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void mirrorCopiesEveryFrameAndPassesIt(boolean vnet) throws Exception {
        try (Rig rig = new Rig().pair(); SocketChannel reader = serverChardev(rig, "c0")) {
            rig.object("filter-mirror,id=m0,netdev=a,queue=tx,outdev=c0" + (vnet ? ",vnet_hdr_support=on" : ""));
            Await.until(() -> chardevFilename(rig, "c0").startsWith("unix:"), "the chardev took the connection");
            List<byte[]> frames = Frames.testFrames(0, 50, 200);
            frames.addAll(Frames.testFrames(50, 2, 9000));
            rig.inject.get("a").send(frames);
            Await.until(() -> rig.inject.get("b").count() == frames.size(), "frames passed to b");
            List<byte[]> mirrored = Rig.read(reader, frames.size(), vnet);
            for (int i = 0; i < frames.size(); i++) {
                assertArrayEquals(frames.get(i), mirrored.get(i), "frame " + i);
            }
            assertEquals(frames.size(), rig.filter("a", "m0").counters().get(FrameWriter.SENT));
            assertEquals("vnet_hdr_support=" + vnet + ",outdev=c0", rig.filter("a", "m0").info());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void redirectorDivertsToOutdevAndPassesOnFromIndev(boolean vnet) throws Exception {
        try (Rig rig = new Rig().pair(); SocketChannel out = serverChardev(rig, "c0"); SocketChannel in = serverChardev(rig, "c1")) {
            String hdr = vnet ? ",vnet_hdr_support=on" : "";
            rig.object("filter-redirector,id=r0,netdev=a,queue=tx,outdev=c0,indev=c1" + hdr);
            Await.until(() -> chardevFilename(rig, "c0").startsWith("unix:") && chardevFilename(rig, "c1").startsWith("unix:"),
                    "both chardevs connected");
            List<byte[]> sent = Frames.testFrames(0, 20, 300);
            assertEquals(SendResult.SENT, rig.inject.get("a").send(sent).get(0));
            List<byte[]> diverted = Rig.read(out, sent.size(), vnet);
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), diverted.get(i), "frame " + i);
            }
            assertEquals(0, rig.inject.get("b").count(), "diverted frames do not go on");
            // Frames from indev, written in pieces that cut headers and frames, go on as a's (queue=tx).
            List<byte[]> injected = Frames.testFrames(100, 30, 1000);
            ByteBuffer stream = ByteBuffer.wrap(Rig.framed(injected, vnet));
            while (stream.hasRemaining()) {
                in.write(stream.slice().limit(Math.min(stream.remaining(), 777)));
                stream.position(stream.position() + Math.min(stream.remaining(), 777));
            }
            Await.until(() -> rig.inject.get("b").count() == injected.size(), "frames from indev reached b");
            List<byte[]> got = rig.inject.get("b").received();
            for (int i = 0; i < injected.size(); i++) {
                assertArrayEquals(injected.get(i), got.get(i), "frame " + i);
            }
            assertEquals(0, rig.inject.get("a").count(), "queue=tx sends them towards a's peer only");
            assertEquals(injected.size(), rig.filter("a", "r0").counters().get(FrameReader.FRAMES));
            assertEquals("vnet_hdr_support=" + vnet + ",indev=c1,outdev=c0", rig.filter("a", "r0").info());
            // QEMU's query-chardev: the indev's front end is open, the outdev's is not.
            assertEquals(List.of(false, true), rig.chardevs.list().stream().map(i -> i.frontendOpen()).toList());
        }
    }

    @Test
    void redirectorIndevWithQueueRxDeliversIntoTheNetdev() throws Exception {
        try (Rig rig = new Rig().pair(); SocketChannel in = serverChardev(rig, "c1")) {
            rig.object("filter-redirector,id=r0,netdev=a,queue=rx,indev=c1");
            Await.until(() -> chardevFilename(rig, "c1").startsWith("unix:"), "connected");
            List<byte[]> injected = Frames.testFrames(0, 5, 100);
            in.write(ByteBuffer.wrap(Rig.framed(injected, false)));
            Await.until(() -> rig.inject.get("a").count() == injected.size(), "frames reached a");
            assertEquals(0, rig.inject.get("b").count());
            assertTrue(Frames.isSubsequence(injected, rig.inject.get("a").received()));
            assertEquals("vnet_hdr_support=false,indev=c1,outdev=", rig.filter("a", "r0").info(), "QEMU prints unset chardevs empty");
        }
    }

    @Test
    void aSlowReaderCostsCountedCopiesNotFrames() throws Exception {
        try (Rig rig = new Rig().pair(); SocketChannel reader = serverChardev(rig, "c0")) {
            rig.object("filter-mirror,id=m0,netdev=a,outdev=c0");
            Await.until(() -> chardevFilename(rig, "c0").startsWith("unix:"), "connected");
            int count = 3000;
            for (int from = 0; from < count; from += 100) {
                rig.inject.get("a").send(Frames.testFrames(from, 100, 1400)); // ~4 MB, nobody reads yet
            }
            Await.until(() -> rig.inject.get("b").count() == count, "every original frame passed");
            assertTrue(rig.filter("a", "m0").counters().get(FrameWriter.FULL) > 0, "the bounded buffer overflowed");
            // Now read what the mirror has; every copy ends up written or counted as dropped.
            reader.configureBlocking(false);
            java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
            ByteBuffer chunk = ByteBuffer.allocate(65536);
            Await.until(() -> {
                while (reader.read(chunk.clear()) > 0) {
                    stream.write(chunk.array(), 0, chunk.position());
                }
                Map<String, Long> c = rig.filter("a", "m0").counters();
                return c.get(FrameWriter.SENT) + c.get(FrameWriter.FULL) == count
                        && stream.size() == c.get(FrameWriter.SENT) * (4 + 1400);
            }, "every copy written or counted, and read");
            Map<String, Long> counters = rig.filter("a", "m0").counters();
            reader.configureBlocking(true);
            ByteBuffer all = ByteBuffer.wrap(stream.toByteArray());
            List<byte[]> mirrored = new java.util.ArrayList<>();
            while (all.remaining() >= 4) {
                byte[] f = new byte[all.getInt()];
                all.get(f);
                mirrored.add(f);
            }
            assertEquals(counters.get(FrameWriter.SENT).longValue(), (long) mirrored.size(), "as many copies as counted: " + counters);
            assertTrue(Frames.isSubsequence(mirrored, Frames.testFrames(0, count, 1400)), "copies in order, whole");
        }
    }

    @Test
    void aMirrorOutlivesItsReaderAndServesTheNext() throws Exception {
        try (Rig rig = new Rig().pair()) {
            Path path = dir.resolve("c0.sock");
            rig.chardev("socket,id=c0,path=" + path + ",server=on,wait=off");
            rig.object("filter-mirror,id=m0,netdev=a,queue=tx,outdev=c0");
            try (SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                Await.until(() -> chardevFilename(rig, "c0").startsWith("unix:"), "first reader");
                rig.inject.get("a").send(List.of(Frames.testFrame(0, 100)));
                assertArrayEquals(Frames.testFrame(0, 100), Rig.read(first, 1, false).get(0));
            }
            // Frames go on while the mirror finds out (a failed write) that its reader is gone.
            int sent = 1;
            while (!chardevFilename(rig, "c0").startsWith("disconnected:")) {
                rig.inject.get("a").send(List.of(Frames.testFrame(sent++, 100)));
                int expected = sent;
                Await.until(() -> rig.inject.get("b").count() == expected, "frame " + expected + " passed");
            }
            long lost = rig.filter("a", "m0").counters().getOrDefault(FrameWriter.DISCONNECTED, 0L);
            try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                Await.until(() -> chardevFilename(rig, "c0").startsWith("unix:"), "second reader");
                rig.inject.get("a").send(List.of(Frames.testFrame(1000, 100)));
                assertArrayEquals(Frames.testFrame(1000, 100), Rig.read(second, 1, false).get(0), "a whole frame first");
            }
            Map<String, Long> counters = rig.filter("a", "m0").counters();
            assertEquals(sent + 1, counters.get(FrameWriter.SENT) + counters.get(FrameWriter.DISCONNECTED),
                    "every copy sent or counted once: " + counters);
            assertTrue(counters.get(FrameWriter.DISCONNECTED) >= lost);
        }
    }

    @Test
    void mirrorToADisconnectedChardevCountsDrops() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.chardev("socket,id=c0,path=" + dir.resolve("c0.sock") + ",server=on,wait=off");
            rig.object("filter-mirror,id=m0,netdev=a,outdev=c0");
            rig.inject.get("a").send(Frames.testFrames(0, 7, 100));
            Await.until(() -> rig.inject.get("b").count() == 7, "the frames themselves passed");
            Await.until(() -> rig.filter("a", "m0").counters().getOrDefault(FrameWriter.DISCONNECTED, 0L) == 7, "drops counted");
        }
    }

    @Test
    void errorsAreQemus() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.chardev("socket,id=c0,path=" + dir.resolve("c0.sock") + ",server=on,wait=off");
            rig.chardev("socket,id=c1,host=127.0.0.1,port=" + Ports.freeTcpPort() + ",server=on,wait=off");
            assertEquals("Parameter 'outdev' is missing", rig.error(Section.OBJECT, "filter-mirror,id=m0,netdev=a"));
            assertEquals("Device 'c9' not found", rig.error(Section.OBJECT, "filter-mirror,id=m0,netdev=a,outdev=c9"));
            assertEquals("filter redirector needs 'indev' or 'outdev' at least one property set",
                    rig.error(Section.OBJECT, "filter-redirector,id=r0,netdev=a"));
            assertEquals("'indev' and 'outdev' could not be same for filter redirector",
                    rig.error(Section.OBJECT, "filter-redirector,id=r0,netdev=a,indev=c0,outdev=c0"));
            assertEquals("IN Device 'c9' not found", rig.error(Section.OBJECT, "filter-redirector,id=r0,netdev=a,indev=c9"));
            assertEquals("OUT Device 'c9' not found", rig.error(Section.OBJECT, "filter-redirector,id=r0,netdev=a,outdev=c9"));
            rig.object("filter-mirror,id=m0,netdev=a,outdev=c0");
            assertEquals("Device 'c0' is in use", rig.error(Section.OBJECT, "filter-mirror,id=m1,netdev=b,outdev=c0"));
            assertEquals("Device 'c0' is in use",
                    rig.error(Section.OBJECT, "filter-redirector,id=r0,netdev=a,indev=c1,outdev=c0"));
            // the failed redirector let c1 go again
            rig.object("filter-redirector,id=r1,netdev=b,indev=c1");
            rig.runtime.objectDel("m0");
            rig.object("filter-mirror,id=m2,netdev=b,outdev=c0");
        }
    }
}
