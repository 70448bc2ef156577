package net.backend.vhostuser;

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

/** Traffic through testpmd in {@code macswap} mode, which sends every frame back with its MACs swapped. */
final class Macswap {

    private Macswap() {
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

    /** @return the frame as macswap sends it back */
    static byte[] swapped(byte[] frame) {
        byte[] out = frame.clone();
        System.arraycopy(frame, 0, out, 6, 6);
        System.arraycopy(frame, 6, out, 0, 6);
        return out;
    }
}
