package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.QemuTest;
import net.testlib.Testpmd;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code vhost-user} netdev against a real back end: DPDK's testpmd forwarding in
 * {@code macswap} mode sends every frame back with its MACs swapped. Frames cross a hub from an
 * inject netdev into the transmit ring and come back through the receive ring.
 */
@QemuTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestpmdFrontEndTest {

    /** The frames a sender keeps in flight at most: one ring. */
    private static final int IN_FLIGHT = VhostUserFrontEnd.QUEUE_SIZE;

    @TempDir
    Path work;
    @AutoClose
    final Cleanup cleanup = new Cleanup();

    @Test
    void thousandsOfFramesComeBackSwappedInOrderNoneLost() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Testpmd pmd = cleanup.add(Testpmd.server(work, "testpmd", socket, "macswap", 1));
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket);
        fx.netdev("vhost-user,id=v0,chardev=c0");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.hub("v0", "s1");
        fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 1);
        assertEquals("vhost-user0 to c0", fx.info("v0"));

        List<byte[]> sent = exchange(fx, 0, 5000, pmd);
        TestpmdTraffic.assertCameBackSwapped(sent, fx.inject.get("s1").received());
        assertEquals(0, fx.drops("v0", VhostUserFrontEnd.DISCONNECTED));
        assertEquals(0, fx.counter("v0", VhostUserFrontEnd.REFUSED));
        Await.until(() -> pmd.rxPackets() >= sent.size() && pmd.txPackets() >= sent.size(), Duration.ofSeconds(10),
                "testpmd's counts", pmd::describe);
    }

    @Test
    void aKilledBackEndIsReconnectedWhenItComesBackAndTheHubLivesOn() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Testpmd pmd = Testpmd.server(work, "testpmd", socket, "macswap", 1);
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket + ",reconnect=1");
        fx.netdev("vhost-user,id=v0,chardev=c0");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.netdev(InjectDriver.TYPE + ",id=s2");
        fx.hub("v0", "s1", "s2");
        try {
            fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 1);
            Await.until(() -> fx.client("v0").linkUp(), "link up once the back end is ready");
            exchange(fx, 0, 1000, pmd);
            pmd.kill();
        } finally {
            pmd.close();
        }
        // Gone: the link goes down, as in QEMU; frames for it are dropped and counted as for any
        // link that is down, the hub's other ports still get them.
        Await.until(() -> !fx.client("v0").linkUp(), "link down once the back end is gone");
        Await.until(() -> {
            fx.inject.get("s1").send(List.of(Frames.testFrame(9999, 60)));
            return fx.drops("v0", "link-down") >= 3;
        }, "frames for the dead back end counted");
        assertTrue(fx.inject.get("s2").count() >= 3);
        assertEquals(0, fx.drops("v0", VhostUserFrontEnd.DISCONNECTED));

        Files.deleteIfExists(socket); // testpmd binds afresh, and a SIGKILL left its file
        Testpmd again = cleanup.add(Testpmd.server(work, "testpmd2", socket, "macswap", 1));
        fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 2);
        Await.until(() -> fx.client("v0").linkUp(), "link up again after the handshake");
        int before = fx.inject.get("s1").count();
        List<byte[]> sent = exchange(fx, before, 1000, again);
        List<byte[]> back = fx.inject.get("s1").received();
        TestpmdTraffic.assertCameBackSwapped(sent, back.subList(before, back.size()));
    }

    @Test
    void twoQueuePairsAreNegotiated() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Testpmd pmd = cleanup.add(Testpmd.server(work, "testpmd", socket, "macswap", 2));
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket);
        fx.netdev("vhost-user,id=v0,chardev=c0,queues=2");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.hub("v0", "s1");
        fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 1);
        exchange(fx, 0, 500, pmd);
    }

    /**
     * A back end that stops taking frames (SIGSTOP) fills the transmit ring; then the hub port
     * queues, the sender is told to wait, and nothing is dropped: once the back end runs again it
     * receives every frame.
     */
    @Test
    void aFullTransmitRingIsBackPressureNeverADrop() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Testpmd pmd = cleanup.add(Testpmd.server(work, "testpmd", socket, "rxonly", 1));
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket);
        fx.netdev("vhost-user,id=v0,chardev=c0");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.hub("v0", "s1");
        fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 1);
        InjectDriver.Inject s1 = fx.inject.get("s1");

        int count = 2 * IN_FLIGHT + TestpmdTraffic.HANDOVER;
        int queued = TestpmdTraffic.sendWhileStopped(pmd, s1, count);
        // The ring takes IN_FLIGHT frames and the hand-over between loops up to HANDOVER more, as
        // timing has it; past those the sender must have been told to wait.
        assertTrue(queued > 0, "none of " + count + " frames queued behind the full ring");
        int expectQueued = queued;
        Await.until(() -> s1.sentCallbacks().size() == expectQueued, Duration.ofSeconds(20),
                "every queued frame delivered", () -> s1.sentCallbacks().size() + " of " + expectQueued);
        Await.until(() -> pmd.rxPackets() >= count, Duration.ofSeconds(10), "testpmd received all", pmd::describe);
        assertEquals(count, pmd.rxPackets());
        for (String id : List.of("v0", "h-v0", "s1")) {
            Map<String, Long> drops = fx.client(id).counters().drops();
            assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), id + " " + drops);
        }
    }

    /** @return the netdev's counters, for failure messages */
    private static String state(Fixture fx) {
        try {
            return "v0 " + fx.client("v0").counters();
        } catch (Exception e) {
            return "v0: " + e.getMessage();
        }
    }

    /** Frames from s1 through testpmd and back, a ring in flight at most; {@code already}: s1 had those before. */
    private static List<byte[]> exchange(Fixture fx, int already, int count, Testpmd pmd) throws Exception {
        InjectDriver.Inject s1 = fx.inject.get("s1");
        return TestpmdTraffic.exchange(s1, () -> s1.count() - already, count, IN_FLIGHT,
                () -> state(fx) + "; " + pmd.describe());
    }
}
