package net.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import net.control.Section;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Ports;
import org.junit.jupiter.api.Test;

/** filter-buffer: frames held until the interval's timer, released in order, flushed on delete. */
class BufferFilterTest {

    @Test
    void framesWaitForTheTimerAndComeInOrder() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,interval=300000");
            for (int round = 0; round < 3; round++) {
                List<byte[]> frames = Frames.testFrames(round * 100, 100, 500);
                long released = released(rig, "a");
                long start = System.nanoTime();
                rig.inject.get("a").send(frames); // on a's loop: held when send returns
                heldUnlessTicked(rig, "a", released, "b", round * 100);
                int expected = (round + 1) * 100;
                Await.until(() -> rig.inject.get("b").count() == expected, "released");
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() <= 300 + 5_000, "within an interval and slack");
                assertTrue(Frames.isSubsequence(frames, rig.inject.get("b").received()), "in order");
            }
            assertEquals(300, rig.filter("a", "f0").counters().get(BufferFilter.RELEASED));
            assertEquals("interval=300000", rig.filter("a", "f0").info());
        }
    }

    @Test
    void framesFromASocketWaitForTheTickThenPassTogether() throws Exception {
        try (Rig rig = new Rig()) {
            int port = Ports.freeTcpPort();
            rig.netdev("socket,id=s0,listen=127.0.0.1:" + port);
            rig.netdev("inject,id=b");
            rig.hub("s0", "b");
            rig.object("filter-buffer,id=f0,netdev=s0,queue=tx,interval=200000");
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                for (int round = 0; round < 5; round++) {
                    List<byte[]> frames = Frames.testFrames(round * 10, 10, 300);
                    long released = released(rig, "s0");
                    client.write(ByteBuffer.wrap(Rig.framed(frames, false)));
                    int heldNow = (round + 1) * 10;
                    Await.until(() -> rig.filter("s0", "f0").counters().get(BufferFilter.HELD) == heldNow, "held");
                    long heldAt = System.nanoTime();
                    heldUnlessTicked(rig, "s0", released, "b", round * 10);
                    Await.until(() -> rig.inject.get("b").count() == heldNow, "released at the tick");
                    assertTrue(Duration.ofNanos(System.nanoTime() - heldAt).toMillis() < 200 + 2_000,
                            "within an interval (and slack)");
                    assertTrue(Frames.isSubsequence(frames, rig.inject.get("b").received()), "whole and in order");
                }
            }
        }
    }

    @Test
    void deletingTheFilterFlushesWhatItHolds() throws Exception {
        try (Rig rig = new Rig().pair()) {
            List<byte[]> frames = tenHeld(rig);
            rig.runtime.objectDel("f0");
            Await.until(() -> rig.inject.get("b").count() == frames.size(), "flushed on delete");
            assertTrue(Frames.isSubsequence(frames, rig.inject.get("b").received()));
        }
    }

    @Test
    void switchingItOffLetsWhatItHoldsGo() throws Exception {
        try (Rig rig = new Rig().pair()) {
            List<byte[]> held = tenHeld(rig);
            rig.runtime.setFilterStatus("f0", false); // qom-set f0 status off
            Await.until(() -> rig.inject.get("b").count() == held.size(), "flushed when switched off");
            assertEquals(held.size(), rig.filter("a", "f0").counters().get(BufferFilter.RELEASED),
                    "the same open filter released them");
            List<byte[]> passing = Frames.testFrames(10, 5, 100);
            rig.inject.get("a").send(passing);
            Await.until(() -> rig.inject.get("b").count() == held.size() + passing.size(), "off: frames pass by");
            rig.runtime.setFilterStatus("f0", true);
            rig.inject.get("a").send(List.of(Frames.testFrame(99, 100)));
            assertEquals(held.size() + 1, rig.filter("a", "f0").counters().get(BufferFilter.HELD), "on again: held");
            rig.runtime.objectDel("f0");
            Await.until(() -> rig.inject.get("b").count() == held.size() + passing.size() + 1, "flushed on delete");
        }
    }

    @Test
    void rxFramesAreReleasedIntoTheNetdev() throws Exception {
        try (Rig rig = new Rig().pair()) {
            rig.object("filter-buffer,id=f0,netdev=a,queue=rx,interval=50000");
            List<byte[]> frames = Frames.testFrames(0, 5, 100);
            long released = released(rig, "a");
            rig.inject.get("b").send(frames);
            Await.until(() -> rig.filter("a", "f0").counters().get(BufferFilter.HELD) == frames.size(), "held");
            heldUnlessTicked(rig, "a", released, "a", 0);
            Await.until(() -> rig.inject.get("a").count() == frames.size(), "released into a");
        }
    }

    private static long released(Rig rig, String netdev) throws Exception {
        return rig.filter(netdev, "f0").counters().get(BufferFilter.RELEASED);
    }

    /**
     * The frames sent since {@code released} was read are held: the receiver has {@code before}
     * frames, unless a tick released some meanwhile (the filter counts a release before the frames
     * leave, so its count is read after the receiver's).
     */
    private static void heldUnlessTicked(Rig rig, String netdev, long released, String receiver, int before)
            throws Exception {
        int count = rig.inject.get(receiver).count();
        if (released(rig, netdev) == released) {
            assertEquals(before, count, "nothing passes the filter before its tick");
        }
    }

    @Test
    void errorsAreQemus() throws Exception {
        try (Rig rig = new Rig().pair()) {
            assertEquals("Parameter 'interval' is missing", rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a"));
            assertEquals("Property 'filter-buffer.interval' requires a positive value",
                    rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a,interval=0"));
            assertEquals("Parameter 'interval' expects uint32_t",
                    rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a,interval=4294967296"));
            // QEMU 7.2's words for what is no uint64 (checked with qemu-system-x86_64 -object)
            for (String bad : new String[] {"x", "-1", "1.5", "18446744073709551616"}) {
                assertEquals("Parameter 'interval' expects a uint64 value",
                        rig.error(Section.OBJECT, "filter-buffer,id=f0,netdev=a,interval=" + bad), bad);
            }
        }
    }

    /** A filter-buffer {@code f0} on a, with a 10-minute interval, holding ten frames a sent. */
    private static List<byte[]> tenHeld(Rig rig) throws Exception {
        rig.object("filter-buffer,id=f0,netdev=a,interval=600000000");
        List<byte[]> frames = Frames.testFrames(0, 10, 100);
        rig.inject.get("a").send(frames);
        assertEquals(frames.size(), rig.filter("a", "f0").counters().get(BufferFilter.HELD), "held when send returned");
        assertEquals(0, rig.inject.get("b").count());
        return frames;
    }
}
