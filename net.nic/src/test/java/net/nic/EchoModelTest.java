package net.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An {@code echo} NIC: every frame it takes comes back with its addresses swapped, none lost to a slow peer. */
@Timeout(30)
class EchoModelTest {

    /** The address {@link Frames#testFrame} frames go to. */
    private static final String TEST_DST = "52:54:00:ab:cd:ef";

    /** @return the frame with its destination and source addresses swapped */
    static byte[] swapped(byte[] frame) {
        byte[] out = frame.clone();
        System.arraycopy(frame, 6, out, 0, 6);
        System.arraycopy(frame, 0, out, 6, 6);
        return out;
    }

    private static byte[] to(String mac, int seq) {
        byte[] frame = Frames.testFrame(seq, 60);
        System.arraycopy(Frames.mac(mac), 0, frame, 0, 6);
        return frame;
    }

    @Test
    void sendsBackWhatItTakesWithTheAddressesSwapped() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("echo", new EchoModel(new MacTable()))) {
            rt.netdev("inject,id=src");
            rt.hub("src");
            rt.netdev("hubport,id=port-e0,hubid=1");
            rt.add(Section.DEVICE, "echo,id=e0,netdev=port-e0,mac=" + TEST_DST);
            Inject src = rt.inject.get("src");
            List<byte[]> taken = List.of(Frames.testFrame(1, 60), Frames.testFrame(2, 1514), to("ff:ff:ff:ff:ff:ff", 3),
                    Frames.testFrame(4, 9000));
            src.send(List.of(taken.get(0), taken.get(1), to("52:54:00:12:34:99", 9), taken.get(2),
                    to("01:00:5e:00:00:01", 10), taken.get(3)));
            Await.until(() -> src.count() == 4, Await.DEFAULT, "four frames echoed", () -> Frames.describe(src.received()));
            List<byte[]> back = src.received();
            for (int i = 0; i < taken.size(); i++) {
                assertArrayEquals(swapped(taken.get(i)), back.get(i), "frame #" + i + " swapped, the rest as sent");
            }
            assertEquals(2, rt.counter("e0", "rx-filtered"), "another's unicast and an unjoined group are ignored");
            assertEquals(4, rt.client("e0").counters().txFrames());
            assertEquals("model=echo,macaddr=" + TEST_DST, rt.info("e0"));
        }
    }

    @Test
    void waitsForAFullPeerInsteadOfDropping() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("echo", new EchoModel(new MacTable()))) {
            rt.netdev("inject,id=src,refuse=on");
            rt.add(Section.DEVICE, "echo,id=e0,netdev=src,mac=" + TEST_DST);
            Inject src = rt.inject.get("src");
            List<byte[]> sent = Frames.testFrames(1, 200, 64);
            src.send(sent);
            // The first echo waits in the refusing peer's queue; the echo takes no more meanwhile.
            rt.awaitCounter("e0", "paused", 1);
            assertEquals(0, src.count());
            assertEquals(199, rt.client("e0").counters().queued(), "the rest wait at the echo's side");

            src.accept();
            Await.until(() -> src.count() == sent.size(), Await.DEFAULT, "every frame echoed once the peer takes them",
                    () -> Frames.describe(src.received()));
            List<byte[]> back = src.received();
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(swapped(sent.get(i)), back.get(i), "frame #" + i + " in order");
            }
            assertEquals(Map.of(), rt.client("e0").counters().drops());
            assertEquals(Map.of(), rt.client("src").counters().drops());
            assertEquals(1, rt.counter("e0", "paused"), "one pause: the peer never refused again");
        }
    }

    @Test
    void echoingAllocatesNothingPerFrame() throws Exception {
        try (TestRuntime rt = new TestRuntime(1).nicModel("echo", new EchoModel(new MacTable()))) {
            rt.netdev("inject,id=src,tag=sink");
            rt.add(Section.DEVICE, "echo,id=e0,netdev=src,mac=" + TEST_DST);
            Inject src = rt.inject.get("src");
            ByteBuffer frame = ByteBuffer.wrap(Frames.testFrame(1, 64));
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            CompletableFuture<Long> allocated = new CompletableFuture<>();
            int frames = 200_000;
            src.context().loop().execute(() -> {
                for (int i = 0; i < 20_000; i++) { // warm-up: JIT
                    src.context().send(frame.clear());
                }
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < frames; i++) {
                    src.context().send(frame.clear());
                }
                allocated.complete(threads.getCurrentThreadAllocatedBytes() - before);
            });
            long bytes = allocated.get(30, TimeUnit.SECONDS);
            CompletableFuture<Long> sunk = new CompletableFuture<>();
            src.context().loop().execute(() -> sunk.complete(src.sunk()));
            assertEquals(220_000L, sunk.get(10, TimeUnit.SECONDS), "every frame came back");
            // One allocation per frame would be >= 16 B x 200 000 = 3.2 MB; a few KiB are one-off JIT work.
            assertTrue(bytes < 64 * 1024, "allocated " + bytes + " bytes for " + frames + " frames");
        }
    }
}
