package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.SendResult;
import net.control.Section;
import net.testlib.Await;
import net.testlib.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link FramePump} on its own, in the real runtime: netdev {@code src} and its peer, NIC
 * {@code nic}, are both {@link PumpBackend}s reading UDP channels. The test calls the pump where a
 * backend would, on the loop, and watches the registration, the runtime's queue and the frames.
 */
@Timeout(60)
class FramePumpTest {

    private static final int READ = SelectionKey.OP_READ;
    private static final int READ_WRITE = SelectionKey.OP_READ | SelectionKey.OP_WRITE;

    private final Rig rig = new Rig(1);
    private final Sockets sockets = rig.sockets;
    private DatagramChannel wire;
    private DatagramChannel far;
    private PumpBackend src;
    private PumpBackend nic;

    @BeforeEach
    void start() throws Exception {
        wire = sockets.udp();
        far = sockets.udp();
        DatagramChannel nicWire = sockets.udp();
        rig.prepare("src", ctx -> new PumpBackend(ctx, wire));
        rig.prepare("nic", ctx -> new PumpBackend(ctx, nicWire));
        rig.netdev("wire,id=src");
        rig.add(Section.DEVICE, "wire,id=nic,netdev=src");
        src = (PumpBackend) rig.opened("src");
        nic = (PumpBackend) rig.opened("nic");
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void forwardSendsToThePeerAndReadsOnWhileThePeerTakesFrames() throws Exception {
        for (int i = 0; i < 3; i++) {
            far.send(ByteBuffer.wrap(Frames.testFrame(i, 60)), wire.getLocalAddress());
        }
        Await.until(() -> nic.received.size() == 3, "three frames at the NIC");
        assertEquals(List.of(0, 1, 2), nic.received);
        assertEquals(List.of(true, true, true), src.forwarded);
    }

    /**
     * The NIC waits for room (a delay of an hour, ended by hand), so the runtime queues what
     * {@code src} forwards: {@code forward} says stop, and {@code src} reads nothing more until the
     * frame has left the queue, although datagrams wait on its socket.
     */
    @Test
    void aFrameThePeerQueuesStopsReadingUntilItsSentCallbackRuns() throws Exception {
        assertEquals(Delivery.RETRY_LATER, rig.onLoop("nic", () -> nic.pump.retryAfter(1, TimeUnit.HOURS)));
        far.send(ByteBuffer.wrap(Frames.testFrame(0, 60)), wire.getLocalAddress());
        Await.until(() -> rig.client("nic").counters().queued() == 1, "the frame queued at the NIC");
        assertEquals(List.of(false), src.forwarded);
        for (int i = 1; i < 5; i++) {
            far.send(ByteBuffer.wrap(Frames.testFrame(i, 60)), wire.getLocalAddress());
        }
        rig.awaitLoopIteration("src");
        assertEquals(List.of(false), src.forwarded, "nothing more was read");
        assertEquals(1, rig.client("nic").counters().queued());

        rig.onLoop("nic", () -> {
            nic.pump.writable(); // the wait is over: the runtime delivers, the callback resumes reading
            return null;
        });
        Await.until(() -> nic.received.size() == 5, "five frames at the NIC");
        assertEquals(List.of(0, 1, 2, 3, 4), nic.received);
        assertEquals(List.of(false, true, true, true, true), src.forwarded);
        assertEquals(0, rig.client("nic").counters().queued());
    }

    /**
     * While {@code src} waits for write readiness the runtime queues a frame for it; the loop finds
     * the socket writable at once, and {@code writable()} drops the write interest and has the
     * frame delivered.
     */
    @Test
    void waitForWriteWatchesWriteReadinessAndWritableEndsTheWait() throws Exception {
        List<Object> during = rig.onLoop("src", () -> {
            Delivery d = src.pump.waitForWrite();
            return List.of(d, src.registration.interestOps(), src.pump.canReceive(),
                    nic.context.send(ByteBuffer.wrap(Frames.testFrame(7, 60)), null));
        });
        assertEquals(List.of(Delivery.RETRY_LATER, READ_WRITE, false, SendResult.QUEUED), during);
        Await.until(() -> src.received.size() == 1, "the queued frame delivered once the socket was writable");
        assertEquals(List.of(7), src.received);
        assertEquals(List.of(READ, true), rig.onLoop("src", () -> List.of(src.registration.interestOps(),
                src.pump.canReceive())));
    }

    @Test
    void retryAfterEndsTheWaitWhenTheDelayHasPassedWithoutWriteInterest() throws Exception {
        List<Object> during = rig.onLoop("src", () -> {
            Delivery d = src.pump.retryAfter(20, TimeUnit.MILLISECONDS);
            return List.of(d, src.registration.interestOps(), src.pump.canReceive(),
                    nic.context.send(ByteBuffer.wrap(Frames.testFrame(8, 60)), null));
        });
        assertEquals(List.of(Delivery.RETRY_LATER, READ, false, SendResult.QUEUED), during);
        Await.until(() -> src.received.size() == 1, "the queued frame delivered after the delay");
        assertTrue(rig.onLoop("src", src.pump::canReceive));
    }

    @Test
    void writableWithoutAWaitChangesNothing() throws Exception {
        List<Object> after = rig.onLoop("src", () -> {
            src.pump.writable();
            return List.of(src.registration.interestOps(), src.pump.canReceive());
        });
        assertEquals(List.of(READ, true), after);
    }
}
