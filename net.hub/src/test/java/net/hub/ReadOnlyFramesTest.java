package net.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import net.api.NetClientDriver;
import net.api.NetException;
import net.control.QemuOptions;
import net.control.Section;
import net.testlib.Await;
import net.testlib.InjectDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A hub hands one frame to every port, so a driver that writes into the frames it receives (a
 * MAC swap in place) must change nothing any other port receives, nor the sender's buffer: on
 * every path a frame takes — delivered at once, queued and delivered later, carried to another
 * loop.
 */
class ReadOnlyFramesTest {

    private static final int FRAMES = 50;

    private NetRuntime runtime;
    private final InjectDriver mem = new InjectDriver();

    private void start(int loops) {
        runtime = new NetRuntime(loops, name -> System.getLogger("test." + name));
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private void netdev(String options) throws NetException {
        runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    /** Source a, receiver b, then the scribbler s: the newest port gets each frame first. */
    private void hubOfThree() throws NetException {
        for (String id : new String[] {"a", "b"}) {
            netdev("mem,id=" + id);
            netdev("hubport,id=p" + id + ",hubid=1,netdev=" + id);
        }
        netdev("mem,id=s,scribble=on");
        netdev("hubport,id=ps,hubid=1,netdev=s");
    }

    private static byte[] frame(int n) {
        byte[] f = new byte[64];
        for (int i = 0; i < f.length; i++) {
            f[i] = (byte) (n + i);
        }
        return f;
    }

    /** Injects frames at a, checking that the sender's arrays are untouched; waits for b and s. */
    private void sendAndCheck() throws Exception {
        for (int n = 0; n < FRAMES; n++) {
            byte[] sent = frame(n);
            mem.get("a").send(sent, true);
            assertArrayEquals(frame(n), sent, "the sender's buffer is never written");
        }
        Await.until(() -> mem.get("b").count() == FRAMES && mem.get("s").readOnlyFrames() == FRAMES,
                Duration.ofSeconds(10), "every frame at b and s");
        for (int n = 0; n < FRAMES; n++) {
            assertArrayEquals(frame(n), mem.get("b").received().get(n), "frame " + n + " as sent");
        }
        assertEquals(0, mem.get("s").writesThrough(), "no write got through");
    }

    @Test
    void framesDeliveredAtOnceAreReadOnly() throws Exception {
        start(1);
        hubOfThree();
        sendAndCheck();
    }

    @Test
    void queuedFramesAreReadOnlyCopies() throws Exception {
        start(1);
        hubOfThree();
        mem.get("s").refuse(); // the hub queues for s what s refuses, and a waits for it
        mem.get("b").refuse();
        Thread accept = Thread.ofPlatform().start(() -> {
            try {
                Await.until(() -> queued("s") > 0 && queued("b") > 0, Duration.ofSeconds(10),
                        "frames queued for s and b");
                mem.get("b").accept();
                mem.get("s").accept();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // a's sends are queued (with callbacks) while the ports refuse; they leave when s and b accept.
        sendAndCheck();
        accept.join(10_000);
    }

    private int queued(String id) {
        try {
            return runtime.client(id).counters().queued();
        } catch (NetException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void framesCarriedToAnotherLoopAreReadOnly() throws Exception {
        start(2);
        netdev("mem,id=a"); // loop 0
        netdev("mem,id=s,scribble=on"); // loop 1
        netdev("mem,id=b"); // loop 0
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
        netdev("hubport,id=ps,hubid=1,netdev=s");
        sendAndCheck();
    }
}
