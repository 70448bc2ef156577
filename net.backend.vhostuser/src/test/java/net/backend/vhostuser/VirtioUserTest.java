package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Ports;
import net.testlib.QemuTest;
import net.testlib.Testpmd;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code vhost-user-backend} netdev under DPDK's virtio-user front end (testpmd, real
 * virtio-net driver, shared memory): frames from a hub go into its receive ring, come back swapped
 * ({@code macswap}) through its transmit ring, in order and all of them; a front end that stops
 * reading is back-pressure, never a drop.
 */
@QemuTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class VirtioUserTest {

    @TempDir
    Path work;
    @AutoClose
    final Cleanup cleanup = new Cleanup();

    private Fixture backend(Path socket) throws Exception {
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v1,chardev=c1");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.hub("v1", "s1");
        Await.until(() -> Ports.unixListening(socket), "the back end's socket");
        return fx;
    }

    /**
     * Sends probes, one at a time, until {@code arrived} says one reached the front end; those sent
     * before its rings ran are dropped as {@code no-guest}.
     *
     * @return how many probes were sent
     */
    private static int probeUntil(Fixture fx, Testpmd pmd, Await.Condition arrived) throws Exception {
        Await.until(() -> fx.counter("v1", "connect") >= 1, Duration.ofSeconds(30), "the front end connected",
                () -> pmd.describe() + "\n" + pmd.program().stdout());
        InjectDriver.Inject s1 = fx.inject.get("s1");
        int[] probes = {0};
        Await.until(() -> {
            if (arrived.holds()) {
                return true;
            }
            s1.send(List.of(Frames.probe(probes[0]++)));
            return false;
        }, Duration.ofSeconds(30), "a probe through the front end's rings", () -> pmd.describe() + " " + counters(fx));
        return probes[0];
    }

    @Test
    void thousandsOfFramesComeBackSwappedInOrderNoneLost() throws Exception {
        Path socket = work.resolve("vb.sock");
        Fixture fx = backend(socket);
        Testpmd pmd = cleanup.add(Testpmd.virtioUser(work, "virtio-user", socket, "macswap"));
        InjectDriver.Inject s1 = fx.inject.get("s1");
        probeUntil(fx, pmd, () -> s1.received().stream().anyMatch(Frames::isProbe));

        List<byte[]> sent = exchange(s1, 5000, pmd);
        TestpmdTraffic.assertCameBackSwapped(sent, tests(s1));
        assertNoDrops(fx);
    }

    /**
     * Frames larger than one of DPDK's buffers: each spreads over several receive chains
     * (MRG_RXBUF, num_buffers) and comes back as a chain of several descriptors, or an indirect
     * table, in the transmit ring.
     */
    @Test
    void jumboFramesSpanSeveralBuffersBothWays() throws Exception {
        Path socket = work.resolve("vb.sock");
        Fixture fx = backend(socket);
        Testpmd pmd = cleanup.add(Testpmd.virtioUser(work, "virtio-user", socket, "macswap", "--max-pkt-len=9600",
                "--enable-scatter"));
        InjectDriver.Inject s1 = fx.inject.get("s1");
        probeUntil(fx, pmd, () -> s1.received().stream().anyMatch(Frames::isProbe));
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(Frames.testFrame(i, 2000 + (i * 331) % 7000));
        }
        for (int end = 100; end <= sent.size(); end += 100) { // a batch stays within DPDK's 4096 mbufs
            for (SendResult r : s1.send(sent.subList(end - 100, end))) {
                assertTrue(r != SendResult.DROPPED, "a frame was dropped on the way in");
            }
            int expect = end;
            Await.until(() -> tests(s1).size() >= expect, Duration.ofSeconds(20), "jumbo frames back",
                    () -> tests(s1).size() + " of " + expect + "; " + pmd.describe() + " " + counters(fx));
        }
        TestpmdTraffic.assertCameBackSwapped(sent, tests(s1));
        assertNoDrops(fx);
    }

    /** The front end stops (SIGSTOP) with its receive ring full: the hub queues, the sender waits, nothing drops. */
    @Test
    void aFullReceiveRingIsBackPressureNeverADrop() throws Exception {
        Path socket = work.resolve("vb.sock");
        Fixture fx = backend(socket);
        Testpmd pmd = cleanup.add(Testpmd.virtioUser(work, "virtio-user", socket, "rxonly"));
        InjectDriver.Inject s1 = fx.inject.get("s1");
        int probes = probeUntil(fx, pmd, () -> pmd.rxPackets() > 0);

        int count = 2 * Testpmd.VIRTIO_USER_RING + TestpmdTraffic.HANDOVER;
        int queued = TestpmdTraffic.sendWhileStopped(pmd, s1, count);
        // the ring takes a ring's worth, the hand-over between loops up to HANDOVER more, as timing
        // has it; past those the sender must have been told to wait
        assertTrue(queued > 0, "none of " + count + " queued behind the full ring; " + fx.client("v1").counters());
        int expectQueued = queued;
        Await.until(() -> s1.sentCallbacks().size() == expectQueued, Duration.ofSeconds(20),
                "every queued frame delivered", () -> s1.sentCallbacks().size() + " of " + expectQueued);
        // every frame and every probe that found the rings running
        long expected = count + probes - fx.drops("v1", "no-guest");
        Await.until(() -> pmd.rxPackets() >= expected, Duration.ofSeconds(10), "testpmd received all",
                pmd::describe);
        assertEquals(expected, pmd.rxPackets());
        assertNoDrops(fx);
    }

    /**
     * A front end killed while the hub holds frames for its full receive ring: they are let go
     * (counted as {@code no-guest}), every sender hears its frames left, and the next front end
     * on the socket gets frames at once.
     */
    @Test
    void framesHeldForAKilledFrontEndAreLetGo() throws Exception {
        Path socket = work.resolve("vb.sock");
        Fixture fx = backend(socket);
        InjectDriver.Inject s1 = fx.inject.get("s1");
        Testpmd pmd = cleanup.add(Testpmd.virtioUser(work, "virtio-user", socket, "rxonly"));
        probeUntil(fx, pmd, () -> pmd.rxPackets() > 0);
        pmd.signal("STOP");
        int queued = 0;
        for (int i = 0; i < 2 * Testpmd.VIRTIO_USER_RING; i++) {
            if (s1.send(Frames.testFrame(i, 100), true) == SendResult.QUEUED) {
                queued++;
            }
        }
        assertTrue(queued > 0, "frames queued behind the full ring");
        long before = fx.drops("v1", "no-guest");
        pmd.program().process().destroyForcibly();
        int expectQueued = queued;
        Await.until(() -> s1.sentCallbacks().size() == expectQueued, Await.DEFAULT, "every held frame let go",
                () -> s1.sentCallbacks().size() + " of " + expectQueued + "; " + counters(fx));
        assertTrue(fx.drops("v1", "no-guest") > before, counters(fx));

        Testpmd again = cleanup.add(Testpmd.virtioUser(work, "virtio-user2", socket, "rxonly"));
        probeUntil(fx, again, () -> again.rxPackets() > 0);
    }

    /**
     * The hub's peer refuses frames while the front end transmits as fast as it can
     * ({@code txonly}): the netdev stops taking chains from the transmit ring, the ring fills and
     * testpmd can send no more; once the peer takes frames again they flow. Nothing is dropped.
     */
    @Test
    void aPeerThatRefusesStopsTheTransmitRingNeverADrop() throws Exception {
        Path socket = work.resolve("vb.sock");
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v1,chardev=c1");
        fx.netdev(InjectDriver.TYPE + ",id=s1,tag=" + InjectDriver.TAG_SINK);
        fx.hub("v1", "s1");
        InjectDriver.Inject s1 = fx.inject.get("s1");
        s1.refuse();
        Await.until(() -> Ports.unixListening(socket), "the back end's socket");
        Testpmd pmd = cleanup.add(Testpmd.virtioUser(work, "virtio-user", socket, "txonly"));

        Await.until(pmd::transmitStalled, Duration.ofSeconds(30), "testpmd's transmit ring full", pmd::describe);
        long stalled = pmd.txPackets();
        s1.send(List.of()); // a task on s1's loop, after which its count can be read
        assertEquals(0, s1.sunk());
        assertTrue(stalled >= Testpmd.VIRTIO_USER_RING, "testpmd filled at least its ring: " + stalled);

        s1.accept();
        Await.until(() -> pmd.txPackets() > stalled + 10 * Testpmd.VIRTIO_USER_RING, Duration.ofSeconds(30),
                "testpmd transmitting again", pmd::describe);
        assertNoDrops(fx);
    }

    /** No drops but the probes' from before the front end's rings ran. */
    private static void assertNoDrops(Fixture fx) throws Exception {
        for (String id : List.of("v1", "h-v1", "s1")) {
            Map<String, Long> drops = new java.util.HashMap<>(fx.client(id).counters().drops());
            drops.remove("no-guest");
            assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), id + " " + drops);
        }
    }

    private static String counters(Fixture fx) {
        try {
            return fx.client("v1").counters().toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** @return the test frames s1 received (the probes left out) */
    private static List<byte[]> tests(InjectDriver.Inject s1) {
        return s1.received().stream().filter(f -> !Frames.isProbe(f)).toList();
    }

    /** Frames from s1 through testpmd and back, a ring in flight at most. */
    private static List<byte[]> exchange(InjectDriver.Inject s1, int count, Testpmd pmd) throws Exception {
        return TestpmdTraffic.exchange(s1, () -> tests(s1).size(), count, Testpmd.VIRTIO_USER_RING, pmd::describe);
    }
}
