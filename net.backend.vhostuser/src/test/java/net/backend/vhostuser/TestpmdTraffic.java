package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Testpmd;

/**
 * Traffic through testpmd: in {@code macswap} mode it sends every frame back with its MACs
 * swapped; stopped (SIGSTOP), it takes nothing, so its rings fill.
 */
final class TestpmdTraffic {

    private TestpmdTraffic() {
    }

    /**
     * Sends {@code count} frames of varied lengths, never more than {@code inFlight} ahead of what
     * came back, and waits for all of them.
     *
     * @param back   how many of the frames came back so far
     * @param detail what failure messages add
     * @return the frames sent, in order
     */
    static List<byte[]> exchange(InjectDriver.Inject sender, IntSupplier back, int count, int inFlight,
            Supplier<String> detail) throws Exception {
        List<byte[]> sent = new ArrayList<>(count);
        while (sent.size() < count) {
            int room = Math.min(inFlight - (sent.size() - back.getAsInt()), count - sent.size());
            if (room <= 0) {
                int waitingFor = sent.size();
                Await.until(() -> back.getAsInt() > waitingFor - inFlight, Duration.ofSeconds(10),
                        "frames back from testpmd", () -> back.getAsInt() + " of " + waitingFor + "; " + detail.get());
                continue;
            }
            List<byte[]> batch = new ArrayList<>(room);
            for (int i = 0; i < room; i++) {
                int seq = sent.size() + i;
                batch.add(Frames.testFrame(seq, 60 + (seq * 37) % 1455));
            }
            for (SendResult r : sender.send(batch)) {
                assertTrue(r != SendResult.DROPPED, "a frame was dropped on the way in");
            }
            sent.addAll(batch);
        }
        Await.until(() -> back.getAsInt() >= count, Duration.ofSeconds(20), "all frames back",
                () -> back.getAsInt() + " of " + count + "; " + detail.get());
        return sent;
    }

    /** Asserts that {@code back} is {@code sent} as macswap sends it back: every frame, in order, MACs swapped. */
    static void assertCameBackSwapped(List<byte[]> sent, List<byte[]> back) {
        assertEquals(sent.size(), back.size(), "frames back");
        for (int i = 0; i < sent.size(); i++) {
            byte[] swapped = sent.get(i).clone();
            System.arraycopy(sent.get(i), 0, swapped, 6, 6);
            System.arraycopy(sent.get(i), 6, swapped, 0, 6);
            assertArrayEquals(swapped, back.get(i), "frame " + i);
        }
    }

    /**
     * Frames the runtime may take past a full ring before the sender is told to wait: the hand-over
     * between the sender's loop and the ring's (net.hub's mailbox between two loops holds 1024),
     * and what the ring's side queues. Send a ring, this and a ring more, and the sender must wait.
     */
    static final int HANDOVER = 1024;

    /**
     * Stops testpmd, sends {@code count} 200-byte frames from {@code sender} (each asking for a
     * sent-callback when it has to wait) and lets testpmd go on.
     *
     * @return how many of them the runtime queued (said {@link SendResult#QUEUED})
     */
    static int sendWhileStopped(Testpmd pmd, InjectDriver.Inject sender, int count) throws Exception {
        pmd.signal("STOP");
        int queued = 0;
        try {
            for (int i = 0; i < count; i++) {
                if (sender.send(Frames.testFrame(i, 200), true) == SendResult.QUEUED) {
                    queued++;
                }
            }
        } finally {
            pmd.signal("CONT");
        }
        return queued;
    }
}
