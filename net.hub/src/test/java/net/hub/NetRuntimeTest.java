package net.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.api.ErrorClass;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.SendResult;
import net.control.Section;
import net.control.dto.NetClientDTO;
import net.control.QemuOptions;
import net.testlib.Await;
import net.testlib.Background;
import net.testlib.InjectDriver;
import net.testlib.PassFilterDriver;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NetRuntimeTest {

    private NetRuntime runtime;
    private InjectDriver mem;

    @BeforeEach
    void start() {
        // One loop: QEMU's flow-control rules hold exactly; hubCrossesLoops covers two.
        runtime = new NetRuntime(1, name -> System.getLogger("test." + name));
        mem = new InjectDriver();
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    /** Replaces the runtime by one with two loops: netdev a on loop 0, b on loop 1, both on hub 1. */
    private void hubAcrossTwoLoops() throws NetException {
        runtime.close();
        runtime = new NetRuntime(2, name -> System.getLogger("test." + name));
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        netdev("mem,id=a"); // round-robin: loop 0
        netdev("mem,id=b"); // loop 1
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
    }

    private void netdev(String options) throws NetException {
        runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    private static NetException error(ThrowingRunnable r) {
        return assertThrows(NetException.class, r::run);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static byte[] frame(int n, int len) {
        byte[] f = new byte[len];
        for (int i = 0; i < len; i++) {
            f[i] = (byte) (n + i);
        }
        return f;
    }

    @Test
    void hubForwardsToEveryOtherPortAndNeverBack() throws Exception {
        for (String id : List.of("m1", "m2", "m3")) {
            netdev("mem,id=" + id);
            netdev("hubport,id=p" + id + ",hubid=1,netdev=" + id);
        }
        byte[] f = frame(7, 60);
        assertEquals(SendResult.SENT, mem.get("m1").send(f, false));
        Await.until(() -> mem.get("m2").count() == 1 && mem.get("m3").count() == 1, Duration.ofSeconds(5),
                "the frame at m2 and m3");
        assertArrayEquals(f, mem.get("m2").received().get(0));
        assertArrayEquals(f, mem.get("m3").received().get(0));
        Thread.sleep(100); // the point: nothing comes back to m1 meanwhile
        assertTrue(mem.get("m1").received().isEmpty(), "a hub never sends a frame back to its source");
        assertEquals(List.of("pm3", "pm2", "pm1"), runtime.network().hubs().get(0).ports(), "newest port first");
    }

    @Test
    void hubCrossesLoopsAndStopsSendersWhenTheOtherLoopsPeerRefuses() throws Exception {
        hubAcrossTwoLoops();
        for (int i = 0; i < 100; i++) {
            mem.get("a").send(frame(i, 100), false);
        }
        Await.until(() -> mem.get("b").count() == 100, Duration.ofSeconds(5), "100 frames at b");
        for (int i = 0; i < 100; i++) {
            assertEquals((byte) i, mem.get("b").received().get(i)[0], "order kept across loops");
        }
        // b refuses: the first copy crosses and is queued at b, which tells a's loop to stop.
        mem.get("b").refuse();
        mem.get("a").send(frame(1, 60), true);
        Await.until(() -> {
            try {
                return runtime.client("b").counters().queued() == 1;
            } catch (NetException e) {
                return false;
            }
        }, Duration.ofSeconds(5), "one frame queued for b");
        Await.until(() -> {
            try {
                return mem.get("a").send(frame(2, 60), true) == SendResult.QUEUED;
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(5), "a's send to be queued");
        int callbacksBefore = mem.get("a").sentCallbacks().size();
        mem.get("b").accept();
        Await.until(() -> mem.get("a").sentCallbacks().size() > callbacksBefore, Duration.ofSeconds(5),
                "a's sent callback");
        Await.until(() -> mem.get("b").count() >= 102, Duration.ofSeconds(5), "102 frames at b");
    }

    @Test
    void aFullMailboxBetweenLoopsPausesTheSenderInsteadOfDropping() throws Exception {
        hubAcrossTwoLoops();
        InjectDriver.Inject a = mem.get("a");
        InjectDriver.Inject b = mem.get("b");
        // Stall b's loop so the mailbox towards it fills up.
        java.util.concurrent.CountDownLatch stalled = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        b.context().loop().execute(() -> {
            stalled.countDown();
            try {
                release.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(stalled.await(5, java.util.concurrent.TimeUnit.SECONDS));
        int frames = 3000;
        int queued = 0;
        for (int i = 0; i < frames; i++) {
            byte[] f = frame(0, 60);
            f[0] = (byte) (i >> 8);
            f[1] = (byte) i;
            if (a.send(f, true) == SendResult.QUEUED) {
                queued++;
            }
        }
        assertTrue(queued > 0, "with the mailbox full the sender is queued, not dropped");
        release.countDown();
        Await.until(() -> b.count() == frames, Duration.ofSeconds(10), "every frame at b");
        List<byte[]> received = b.received();
        for (int i = 0; i < frames; i++) {
            byte[] f = received.get(i);
            assertEquals(i, ((f[0] & 0xff) << 8) | (f[1] & 0xff), "in order");
        }
        assertNull(runtime.client("pb").counters().drops().get("loop-queue-full"));
        assertEquals(queued, a.sentCallbacks().size());
    }

    @Test
    void jumboAndMaximumFramesPassOversizedAreDropped() throws Exception {
        netdev("mem,id=a");
        netdev("mem,id=b");
        netdev("hubport,id=pa,hubid=3,netdev=a");
        netdev("hubport,id=pb,hubid=3,netdev=b");
        mem.get("a").send(frame(1, 9000), false);
        mem.get("a").send(frame(2, 69632), false);
        assertEquals(SendResult.DROPPED, mem.get("a").send(frame(3, 69633), false));
        Await.until(() -> mem.get("b").count() == 2, Duration.ofSeconds(5), "two frames at b");
        assertEquals(9000, mem.get("b").received().get(0).length);
        assertEquals(69632, mem.get("b").received().get(1).length);
        assertEquals(1L, runtime.client("a").counters().drops().get("oversized"));
    }

    @Test
    void directPeersQueueWithCallbackAndFlushInOrder() throws Exception {
        runtime.add(Section.NETDEV, Map.of("type", "mem", "id", "slow", "refuse", "on"));
        netdev("hubport,id=p1,hubid=5,netdev=slow");
        netdev("mem,id=src");
        netdev("hubport,id=p2,hubid=5,netdev=src");
        InjectDriver.Inject src = mem.get("src");
        InjectDriver.Inject slow = mem.get("slow");
        // The first frame reaches the hub and waits in slow's queue: the hub took it, and holds the
        // sender until that copy is out (QEMU would say SENT); from then on the hub cannot receive,
        // as its only other port's peer refuses, so the sender is queued.
        assertEquals(SendResult.QUEUED, src.send(frame(1, 64), true));
        assertEquals(SendResult.QUEUED, src.send(frame(2, 64), true));
        assertEquals(SendResult.QUEUED, src.send(frame(3, 64), true));
        assertTrue(src.sentCallbacks().isEmpty());
        slow.accept();
        Await.until(() -> slow.count() == 3 && src.sentCallbacks().size() == 3, Duration.ofSeconds(5),
                "three frames at slow and three sent callbacks");
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, slow.received().get(i)[0], "queued frames keep their order");
        }
        assertEquals(List.of(64, 64, 64), src.sentCallbacks());
    }

    /**
     * Patchbay's departure from QEMU's hub: a copy queued at a port that is behind holds its sender
     * (QUEUED, called back when the copy is out) instead of being queued without a callback and
     * dropped past 10 000; a port whose peer still holds the copy after a second is given up on.
     */
    @Test
    void aFanOutHoldsItsSenderUntilASlowPortTookTheCopyAndGivesUpOnADeadOne() throws Exception {
        RecordingLog recording = new RecordingLog("recording");
        runtime.close();
        runtime = new NetRuntime(1, name -> recording);
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        for (String id : List.of("src", "fast", "slow", "dead")) {
            netdev("mem,id=" + id);
            netdev("hubport,id=p" + id + ",hubid=3,netdev=" + id);
        }
        InjectDriver.Inject src = mem.get("src");
        mem.get("slow").refuse();
        assertEquals(SendResult.QUEUED, src.send(frame(1, 64), true), "slow queued its copy: src is held");
        assertEquals(1, mem.get("fast").count(), "the others have theirs at once");
        assertEquals(1, mem.get("dead").count());
        mem.get("slow").accept();
        Await.until(() -> src.sentCallbacks().equals(List.of(64)), Duration.ofSeconds(5), "src released by slow's taking it");
        assertEquals(SendResult.SENT, src.send(frame(2, 64), true), "every port takes it: nothing is held");

        mem.get("dead").refuse();
        long start = System.nanoTime();
        assertEquals(SendResult.QUEUED, src.send(frame(3, 64), true));
        Await.until(() -> src.sentCallbacks().size() == 2, Duration.ofSeconds(5), "src released after a second");
        assertTrue(System.nanoTime() - start >= 900_000_000L, "not before the hub's wait of a second");
        assertEquals(1L, runtime.client("pdead").counters().driver().get("hub-wait-timeout"));
        assertEquals(1, recording.count("pdead: hub 3 stopped waiting for this port's peer"));
        // Given up on, dead gets copies as QEMU's hub sends them: queued without a callback, src is not held.
        for (int i = 4; i < 10; i++) {
            assertEquals(SendResult.SENT, src.send(frame(i, 64), true));
        }
        assertEquals(9, mem.get("fast").count());
        assertEquals(7, runtime.client("dead").counters().queued(), "frames 3 to 9 wait at dead");
        mem.get("dead").accept();
        Await.until(() -> mem.get("dead").count() == 9, Duration.ofSeconds(5), "dead takes all, in order");
        for (int i = 0; i < 9; i++) {
            assertEquals(i + 1, mem.get("dead").received().get(i)[0]);
        }
        mem.get("slow").refuse();
        assertEquals(SendResult.QUEUED, src.send(frame(10, 64), true), "dead drained: the hub waits for every port again");
        mem.get("slow").accept();
        Await.until(() -> src.sentCallbacks().size() == 3, Duration.ofSeconds(5), "src released by slow");
        for (String id : List.of("src", "fast", "slow", "dead", "psrc", "pfast", "pslow", "pdead")) {
            assertTrue(runtime.client(id).counters().drops().isEmpty(), id + " lost nothing");
        }
    }

    @Test
    void framesQueuedAtAHubWithNoOtherPortFlowWhenAPortJoins() throws Exception {
        // Patchbay's departure: QEMU leaves such frames queued until something else flushes them.
        netdev("mem,id=src");
        netdev("hubport,id=p0,hubid=6,netdev=src");
        InjectDriver.Inject src = mem.get("src");
        assertEquals(SendResult.QUEUED, src.send(frame(1, 64), true), "a hub without another port cannot receive");
        assertEquals(SendResult.QUEUED, src.send(frame(2, 64), true));
        netdev("mem,id=far");
        netdev("hubport,id=p1,hubid=6,netdev=far");
        Await.until(() -> mem.get("far").count() == 2 && src.sentCallbacks().size() == 2, Duration.ofSeconds(5),
                "both frames at far and the sender released");
        assertEquals(1, mem.get("far").received().get(0)[0], "in order");
        assertEquals(2, mem.get("far").received().get(1)[0]);

        // A port whose peer is deleted takes anything (frames to it are discarded): the hub flows again.
        mem.get("far").refuse();
        assertEquals(SendResult.QUEUED, src.send(frame(3, 64), true), "the hub takes it, far queues it: src is held");
        assertEquals(SendResult.QUEUED, src.send(frame(4, 64), true), "far refuses: the hub cannot receive");
        runtime.netdevDel("far");
        Await.until(() -> src.sentCallbacks().size() == 4, Duration.ofSeconds(5),
                "frame 3 purged with far, frame 4 leaves the hub");
        assertEquals(List.of(64, 64, 64, 64), src.sentCallbacks(), "the hub took frame 3: its length, not a purge's 0");
        assertEquals(1L, runtime.client("p1").counters().drops().get("no-peer"), "and is dropped at p1: no peer");
    }

    @Test
    void framesWithoutCallbackAreBoundedAtQemusLimit() throws Exception {
        runtime.add(Section.NETDEV, Map.of("type", "mem", "id", "slow", "refuse", "on"));
        netdev("mem,id=src");
        // Peer the two directly through a NIC-less pair: a hubport whose only other port is refusing.
        netdev("hubport,id=p1,hubid=6,netdev=slow");
        netdev("hubport,id=p2,hubid=6,netdev=src");
        InjectDriver.Inject src = mem.get("src");
        int sent = 0;
        int queued = 0;
        int dropped = 0;
        for (int i = 0; i < 10_005; i++) {
            switch (src.send(frame(i, 60), false)) {
                case SENT -> sent++;
                case QUEUED -> queued++;
                case DROPPED -> dropped++;
            }
        }
        assertEquals(1, sent, "the first frame went into the hub before the refusal was known");
        assertEquals(10_000, queued);
        assertEquals(4, dropped);
        assertEquals(10_000, runtime.client("p2").counters().queued());
        assertEquals(4L, runtime.client("p2").counters().drops().get("queue-full"));
    }

    /** The command line's strings are reported as the schema types them, as QMP gives them. */
    @Test
    void optionsAreReportedTypedWhicheverFrontEndGaveThem() throws Exception {
        netdev("mem,id=a,tag=7,refuse=off,openms=0x10");
        netdev("hubport,id=p1,hubid=1,netdev=a");
        runtime.add(Section.NETDEV, Map.of("type", "hubport", "id", "p2", "hubid", 1));
        assertEquals(Map.of("tag", "7", "refuse", false, "openms", 16), runtime.client("a").options());
        assertEquals(Map.of("hubid", 1, "netdev", "a"), runtime.client("p1").options());
        assertEquals(Map.of("hubid", 1), runtime.client("p2").options());
        // Still bound as before when the driver comes back.
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        runtime.bindNetClientDriver(new InjectDriver(), Map.of(NetClientDriver.TYPE, "mem"));
        Await.until(() -> runtime.client("a").state().equals("active"), Duration.ofSeconds(10), "a again");
        assertEquals(Map.of("tag", "7", "refuse", false, "openms", 16), runtime.client("a").options());
    }

    @Test
    void driverLeavingMakesNetdevsPendingAndReturningRestoresThem() throws Exception {
        netdev("mem,id=a,tag=x");
        netdev("mem,id=b");
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
        InjectDriver.Inject before = mem.get("a");
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        assertTrue(before.closed());
        NetClientDTO a = runtime.client("a");
        assertEquals("pending", a.state());
        assertEquals("pa", a.peer());
        assertEquals(Map.of("tag", "x"), a.options());
        assertEquals(List.of("pb", "pa"), runtime.network().hubs().get(0).ports());
        assertEquals("Parameter 'type' does not accept value 'mem'", error(() -> netdev("mem,id=c")).getMessage(),
                "no driver, no type: QEMU 7.2's words");

        InjectDriver again = new InjectDriver();
        runtime.bindNetClientDriver(again, Map.of(NetClientDriver.TYPE, "mem"));
        assertEquals("active", runtime.client("a").state());
        assertNotSame(before, again.get("a"));
        again.get("a").send(frame(9, 60), false);
        Await.until(() -> again.get("b").count() == 1, Duration.ofSeconds(5),
                "the frame at b from the returned driver's a");
        mem = again;
    }

    @Test
    void declaredNetdevWaitsForItsDriverAndReportsBadOptionsAsFailed() throws Exception {
        runtime.declare(Section.NETDEV, QemuOptions.parse("later,id=l1,foo=1", "type"));
        runtime.declare(Section.NETDEV, QemuOptions.parse("later,id=l2", "type"));
        runtime.declare(Section.NETDEV, QemuOptions.parse("hubport,id=h,hubid=2,netdev=l2", "type"));
        assertEquals("pending", runtime.client("l1").state());
        InjectDriver later = new InjectDriver();
        runtime.bindNetClientDriver(later, Map.of(NetClientDriver.TYPE, "later"));
        assertEquals("failed", runtime.client("l1").state());
        assertEquals("Invalid parameter 'foo'", runtime.client("l1").error());
        assertEquals("active", runtime.client("l2").state());
        assertEquals("h", runtime.client("l2").peer());
    }

    /** Netdev files are taken up in no particular order: a hubport may come before its netdev. */
    @Test
    void aPortFromAFileWaitsForItsNetdevAndJoinsItWhenItIsAdded() throws Exception {
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h2,hubid=1,netdev=s2", "type"));
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h3,hubid=1,netdev=s3", "type"));
        assertEquals("pending", runtime.client("h2").state());
        assertNull(runtime.client("h2").hub(), "on no hub while it waits");
        assertEquals("netdev 'nosuch' not found",
                error(() -> runtime.declare(Section.NETDEV, QemuOptions.parse("hubport,id=h9,hubid=1,netdev=nosuch", "type")))
                        .getMessage(), "the command line keeps QEMU's order of options");

        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("mem,id=s2", "type"));
        netdev("mem,id=s3");
        assertEquals("active", runtime.client("h2").state());
        assertEquals("s2", runtime.client("h2").peer());
        assertEquals("h3", runtime.client("s3").peer());
        mem.get("s2").send(frame(1, 60), false);
        Await.until(() -> mem.get("s3").count() == 1, Duration.ofSeconds(5), "s2's frame through hub 1 at s3");

        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h4,hubid=2,netdev=s4", "type"));
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h5,hubid=2,netdev=s4", "type"));
        netdev("mem,id=s4");
        assertEquals("s4", runtime.client("h4").peer(), "the first port waiting joins");
        assertEquals("failed", runtime.client("h5").state());
        assertEquals("netdev 's4' is already in use", runtime.client("h5").error(), "the second fails as QEMU's would");
        assertEquals("netdev 's2' is already in use", error(() -> runtime.declareAwaiting(Section.NETDEV,
                QemuOptions.parse("hubport,id=h6,hubid=2,netdev=s2", "type"))).getMessage(), "a netdev there is joined at once");
    }

    /** Waiting ports are found by the name they wait for; whichever side goes, nothing waits on. */
    @Test
    void deletingAWaitingPortOrItsJoinedNetdevLeavesNothingWaiting() throws Exception {
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h1,hubid=1,netdev=s1", "type"));
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h2,hubid=1,netdev=s2", "type"));
        assertEquals(2, runtime.awaitingPorts());

        runtime.netdevDel("h1");
        assertEquals(1, runtime.awaitingPorts(), "a deleted port waits no more");
        netdev("mem,id=s1");
        assertNull(runtime.client("s1").peer(), "the deleted port does not join");

        netdev("mem,id=s2");
        assertEquals("h2", runtime.client("s2").peer());
        assertEquals(0, runtime.awaitingPorts(), "a joined port waits no more");
        runtime.netdevDel("s2");
        netdev("mem,id=s2");
        assertNull(runtime.client("s2").peer(), "a port joins once: its netdev deleted and added again is left alone");
        assertEquals(0, runtime.awaitingPorts());

        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h3,hubid=2,netdev=s3", "type"));
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=h4,hubid=2,netdev=s3", "type"));
        netdev("mem,id=s3");
        assertEquals("netdev 's3' is already in use", runtime.client("h4").error());
        assertEquals(0, runtime.awaitingPorts(), "a port that failed to join waits no more");
    }

    /** A file's netdev that its driver refuses is listed failed, with why, and opens once the file is right. */
    @Test
    void aNetdevFromAFileThatItsDriverRefusesIsListedFailed() throws Exception {
        assertEquals("bad", runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("mem,id=bad,openms=soon", "type")));
        NetClientDTO bad = runtime.client("bad");
        assertEquals("failed", bad.state());
        assertEquals("Parameter 'openms' expects an int64 value", bad.error());
        runtime.update(Section.NETDEV, QemuOptions.parse("mem,id=bad,openms=1", "type"));
        assertEquals("active", runtime.client("bad").state());
        runtime.declareAwaiting(Section.NETDEV, QemuOptions.parse("hubport,id=hp,hubid=one", "type"));
        assertEquals("failed", runtime.client("hp").state());
        assertEquals("Parameter 'hubid' expects an int64 value", runtime.client("hp").error());
        assertNull(runtime.client("hp").hub());
        runtime.update(Section.NETDEV, QemuOptions.parse("hubport,id=hp,hubid=1", "type"));
        assertEquals("active", runtime.client("hp").state());
        assertEquals(Integer.valueOf(1), runtime.client("hp").hub());
        // The other front ends still refuse it, leaving nothing behind.
        assertEquals("Parameter 'openms' expects an int64 value",
                error(() -> netdev("mem,id=worse,openms=soon")).getMessage());
        assertFalse(runtime.network().clients().stream().anyMatch(c -> c.name().equals("worse")));
    }

    /**
     * A file without an id is listed under the file's name, failed with QEMU's words, and never
     * opens, not even when a driver of its type arrives; deleting it (the file changed) removes it.
     */
    @Test
    void aNetdevFileWithoutAnIdIsListedFailedUnderItsName() throws Exception {
        runtime.declareRefused("net.netdev-.cfg", QemuOptions.parse("mem,openms=1", "type"), "Parameter 'id' is missing");
        NetClientDTO unnamed = runtime.client("net.netdev-.cfg");
        assertEquals("failed", unnamed.state());
        assertEquals("Parameter 'id' is missing", unnamed.error());
        assertEquals("mem", unnamed.type());
        netdev("mem,id=named");
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        runtime.bindNetClientDriver(new InjectDriver(), Map.of(NetClientDriver.TYPE, "mem"));
        Await.until(() -> runtime.client("named").state().equals("active"), Duration.ofSeconds(10), "named again");
        assertEquals("failed", runtime.client("net.netdev-.cfg").state(), "a driver arriving opened it");
        runtime.netdevDel("net.netdev-.cfg");
        assertFalse(runtime.network().clients().stream().anyMatch(c -> c.name().equals("net.netdev-.cfg")));
    }

    /** Once closed nothing runs on the loops: a step for them fails at once, it does not wait them out. */
    @Test
    void aStepForALoopThatHasStoppedFailsAtOnce() throws Exception {
        netdev("mem,id=a");
        runtime.close();
        long start = System.nanoTime();
        assertEquals("patchbay-loop-0 has stopped", error(() -> runtime.setLink("a", false)).getMessage());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos(), "it waited for the loop");
    }

    @Test
    void qemuErrorsForNetdevAdd() {
        assertEquals("Parameter 'id' expects an identifier", error(() -> netdev("mem,id=9bad")).getMessage());
        assertEquals("Parameter 'id' is missing", error(() -> netdev("mem")).getMessage());
        assertEquals("network backend 'nic' is not compiled into this binary", error(() -> netdev("nic,id=n0")).getMessage());
        assertEquals("network backend 'netmap' is not compiled into this binary",
                error(() -> netdev("netmap,id=n0,ifname=x")).getMessage());
        assertEquals("Parameter 'type' does not accept value 'sockt'", error(() -> netdev("sockt,id=n0")).getMessage());
        assertEquals("Parameter 'hubid' is missing", error(() -> netdev("hubport,id=h1")).getMessage());
        assertEquals("netdev 'nosuch' not found", error(() -> netdev("hubport,id=h1,hubid=1,netdev=nosuch")).getMessage());
        assertEquals("Invalid parameter 'foo'", error(() -> netdev("mem,id=m,foo=1")).getMessage());
        assertEquals("Parameter 'refuse' expects 'on' or 'off'", error(() -> netdev("mem,id=m,refuse=maybe")).getMessage());
        assertEquals("tag 'bad' is not allowed", error(() -> netdev("mem,id=m,tag=bad")).getMessage());
        assertThrows(NetException.class, () -> runtime.client("m"), "a failed add leaves nothing behind");
    }

    @Test
    void duplicateIdsAndPortsAlreadyInUse() throws Exception {
        netdev("mem,id=s0");
        assertEquals("Duplicate ID 's0' for netdev", error(() -> netdev("mem,id=s0")).getMessage());
        netdev("hubport,id=h1,hubid=1,netdev=s0");
        assertEquals("netdev 's0' is already in use", error(() -> netdev("hubport,id=h2,hubid=1,netdev=s0")).getMessage());
    }

    @Test
    void netdevDelDetachesThePortAndFreesTheId() throws Exception {
        NetException missing = error(() -> runtime.netdevDel("nosuch"));
        assertEquals(ErrorClass.DeviceNotFound, missing.errorClass());
        assertEquals("Device 'nosuch' not found", missing.getMessage());
        netdev("mem,id=s0");
        netdev("hubport,id=h1,hubid=1,netdev=s0");
        InjectDriver.Inject s0 = mem.get("s0");
        runtime.netdevDel("s0");
        assertTrue(s0.closed());
        assertNull(runtime.client("h1").peer(), "the port stays on its hub without a peer");
        assertEquals(List.of("h1"), runtime.network().hubs().get(0).ports());
        netdev("mem,id=s0");
        runtime.netdevDel("h1");
        assertTrue(runtime.network().hubs().get(0).ports().isEmpty(), "hubs stay, empty");
    }

    @Test
    void aBackendKnowsItsHubWhenItOpensOnLegacyNetAndLaterThroughAHubport() throws Exception {
        String legacy = runtime.add(Section.NET, QemuOptions.parse("mem,vlan=3", "type"));
        assertEquals(java.util.OptionalInt.of(3), mem.get(legacy).hubAtOpen());
        netdev("mem,id=s0");
        assertEquals(java.util.OptionalInt.empty(), mem.get("s0").hubAtOpen());
        netdev("hubport,id=h1,hubid=5,netdev=s0");
        InjectDriver.Inject s0 = mem.get("s0");
        java.util.concurrent.CompletableFuture<java.util.OptionalInt> now = new java.util.concurrent.CompletableFuture<>();
        s0.context().loop().execute(() -> now.complete(s0.context().hubId()));
        assertEquals(java.util.OptionalInt.of(5), now.get(5, java.util.concurrent.TimeUnit.SECONDS));

        List<String> before = runtime.network().clients().stream().map(NetClientDTO::name).toList();
        assertEquals("tag 'bad' is not allowed",
                error(() -> runtime.add(Section.NET, QemuOptions.parse("mem,vlan=3,tag=bad", "type"))).getMessage());
        assertEquals(before, runtime.network().clients().stream().map(NetClientDTO::name).toList(),
                "a -net backend that fails to open leaves neither itself nor its hub port behind");
    }

    @Test
    void releaseRunsOnTheControlThreadAfterCloseOnEveryPathThatCloses() throws Exception {
        netdev("mem,id=del");
        netdev("mem,id=gone");
        netdev("mem,id=end");
        InjectDriver.Inject deleted = mem.get("del");
        runtime.netdevDel("del");
        assertReleasedAfterClose(deleted);

        InjectDriver.Inject driverGone = mem.get("gone");
        InjectDriver.Inject runtimeClosed = mem.get("end");
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        assertReleasedAfterClose(driverGone);
        InjectDriver again = new InjectDriver();
        runtime.bindNetClientDriver(again, Map.of(NetClientDriver.TYPE, "mem"));
        mem = again;
        runtime.close();
        assertReleasedAfterClose(again.get("end"));
        assertEquals(List.of("close", "release"), runtimeClosed.calls(), "released once, not again by close()");
    }

    @Test
    void aFilterIsReleasedAfterCloseOnObjectDelDriverGoneAndRuntimeClose() throws Exception {
        PassFilterDriver<?> filters = new PassFilterDriver<>(PassFilterDriver.Options.class);
        Map<String, Object> type = Map.of(net.api.NetFilterDriver.TYPE, "mem-filter");
        runtime.bindNetFilterDriver(filters, type);
        netdev("mem,id=s0");
        runtime.add(Section.OBJECT, QemuOptions.parse("mem-filter,id=f0,netdev=s0", "qom-type"));
        runtime.add(Section.OBJECT, QemuOptions.parse("mem-filter,id=f1,netdev=s0", "qom-type"));
        runtime.objectDel("f0");
        String control = Thread.currentThread().getName();
        assertEquals(List.of("f0 close patchbay-loop-0", "f0 release " + control), filters.calls());
        filters.clearCalls();
        runtime.unbindNetFilterDriver(filters, type);
        assertEquals(List.of("f1 close patchbay-loop-0", "f1 release " + control), filters.calls());
        filters.clearCalls();
        runtime.bindNetFilterDriver(filters, type);
        runtime.close();
        assertEquals(List.of("f1 close patchbay-loop-0", "f1 release " + control), filters.calls());
    }

    @Test
    void aSlowReleaseDoesNotHoldTheLoop() throws Exception {
        netdev("mem,id=slow");
        netdev("mem,id=a");
        netdev("mem,id=b");
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
        mem.get("slow").releaseDelay(Duration.ofMillis(2000));
        Thread deleting = Background.start(() -> runtime.netdevDel("slow"));
        try {
            Await.until(() -> mem.get("slow").releasedOn() != null, Duration.ofSeconds(1), "the release to start");
            long start = System.nanoTime();
            // The one loop carries a frame across the hub while the release sleeps.
            mem.get("a").send(frame(1, 60), false);
            Await.until(() -> mem.get("b").count() == 1, Duration.ofMillis(500),
                    "the frame across the hub while the release blocks");
            assertTrue(deleting.isAlive(), "netdev_del still waits for the release");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(1).toNanos());
        } finally {
            deleting.join(5000);
        }
        assertTrue(!deleting.isAlive(), "netdev_del returned");
        assertEquals(List.of("close", "release"), mem.get("slow").calls());
    }

    @Test
    void peerChangedFollowsHubportsAndNicsComingAndGoing() throws Exception {
        runtime.bindNicModel(mem, Map.of(net.api.NicModel.TYPE, "mem"));
        netdev("mem,id=s0");
        InjectDriver.Inject s0 = mem.get("s0");
        netdev("hubport,id=h1,hubid=4,netdev=s0");
        assertEquals(List.of("peer:4"), s0.calls());
        runtime.netdevDel("h1");
        assertEquals(List.of("peer:4", "peer:none"), s0.calls());
        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=n0,netdev=s0", "driver"));
        assertEquals(List.of("peer:4", "peer:none", "peer:none"), s0.calls(), "a NIC is no hub port");
        assertEquals(List.of("peer:none"), mem.get("n0").calls());
        runtime.deviceDel("n0");
        assertEquals(List.of("peer:4", "peer:none", "peer:none", "peer:none"), s0.calls());

        // A pending netdev hears nothing; when its driver returns it opens into its place and hears once.
        netdev("hubport,id=h2,hubid=6,netdev=s0");
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        InjectDriver again = new InjectDriver();
        runtime.bindNetClientDriver(again, Map.of(NetClientDriver.TYPE, "mem"));
        assertEquals(List.of("peer:6"), again.get("s0").calls());
        netdev("mem,id=alone");
        assertEquals(List.of(), again.get("alone").calls(), "no peer at open, no call");
        mem = again;
    }

    private static void assertReleasedAfterClose(InjectDriver.Inject m) {
        assertEquals(List.of("close", "release"), m.calls());
        assertTrue(m.closedOn().getName().startsWith("patchbay-loop-"), "close on the loop: " + m.closedOn());
        assertEquals(Thread.currentThread(), m.releasedOn(), "release on the control thread");
    }

    @Test
    void ioFailuresAreCountedEveryTimeAndLoggedOnce() throws Exception {
        RecordingLog recording = new RecordingLog("recording");
        NetRuntime logged = new NetRuntime(1, name -> recording);
        try {
            InjectDriver driver = new InjectDriver();
            logged.bindNetClientDriver(driver, Map.of(NetClientDriver.TYPE, "mem"));
            logged.add(Section.NETDEV, QemuOptions.parse("mem,id=m0", "type"));
            InjectDriver.Inject m0 = driver.get("m0");
            java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
            m0.context().loop().execute(() -> {
                net.api.NetCounter errors = m0.context().dropCounter("send-error");
                m0.context().ioFailed(errors, "send failed: Connection refused");
                m0.context().ioFailed(errors, "send failed: Connection refused");
                m0.context().ioFailed(errors, "send failed: Network is unreachable");
                done.complete(null);
            });
            done.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(3L, logged.client("m0").counters().drops().get("send-error"));
            assertEquals(List.of("send failed: Connection refused (further errors are only counted)"),
                    recording.messages(System.Logger.Level.WARNING));
        } finally {
            logged.close();
        }
    }

    @Test
    void closingTwiceReturnsAtOnce() {
        runtime.close();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(2), runtime::close,
                "the loops are gone: nothing to wait for");
    }

    @Test
    void legacyNetJoinsHubZeroAndIsNotANetdev() throws Exception {
        String first = runtime.add(Section.NET, QemuOptions.parse("mem", "type"));
        String second = runtime.add(Section.NET, QemuOptions.parse("mem,vlan=2", "type"));
        // QEMU 7.2's made-up ids: a counter shared with -nic, then two random digits.
        assertTrue(first.matches("#net0\\d\\d"), first);
        assertTrue(second.matches("#net1\\d\\d"), second);
        assertEquals("q", runtime.add(Section.NET, QemuOptions.parse("mem,id=q,vlan=4", "type")));
        assertEquals("Invalid parameter 'name'",
                error(() -> runtime.add(Section.NET, QemuOptions.parse("mem,name=n", "type"))).getMessage());
        assertNull(runtime.add(Section.NET, QemuOptions.parse("none", "type")));
        List<String> names = runtime.network().clients().stream().map(NetClientDTO::name).toList();
        assertEquals(List.of(first, "hub0port0", second, "hub2port0", "q", "hub4port0"), names);
        assertEquals("hub0port0", runtime.client(first).peer());
        assertEquals("Device '" + first + "' is not a netdev", error(() -> runtime.netdevDel(first)).getMessage());
        assertEquals("network backend 'hubport' is only supported with -netdev/-nic",
                error(() -> runtime.add(Section.NET, QemuOptions.parse("hubport,hubid=1", "type"))).getMessage());
        assertEquals("Unsupported NIC model: e1000",
                error(() -> runtime.add(Section.NET, QemuOptions.parse("nic,model=e1000", "type"))).getMessage());
        assertEquals(names,
                runtime.network().clients().stream().map(NetClientDTO::name).toList(), "a failed -net nic leaves no port");
    }

    @Test
    void setLinkDownDropsFramesAndNotifiesThePeer() throws Exception {
        netdev("mem,id=a");
        netdev("mem,id=b");
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
        runtime.setLink("a", false);
        assertEquals(List.of(false), mem.get("a").linkChanges());
        assertEquals(SendResult.DROPPED, mem.get("a").send(frame(1, 60), false));
        assertEquals(1L, runtime.client("a").counters().drops().get("link-down"));
        runtime.setLink("a", true);
        assertEquals(SendResult.SENT, mem.get("a").send(frame(2, 60), false));
        Await.until(() -> mem.get("b").count() == 1, Duration.ofSeconds(5), "the frame at b once the link is up");
        assertEquals(ErrorClass.DeviceNotFound, error(() -> runtime.setLink("nosuch", true)).errorClass());
    }

    /**
     * A backend's own {@code setLinkUp} (QEMU's vhost-user netdev's {@code qmp_set_link}) is
     * {@code set_link}: its NIC peer's link follows, both are told, and a frame that waited for the
     * backend when its link went down is dropped as {@code link-down}, as QEMU drops it.
     */
    @Test
    void aBackendSetsItsOwnLinkAsSetLinkDoes() throws Exception {
        runtime.bindNicModel(mem, Map.of(net.api.NicModel.TYPE, "mem"));
        netdev("mem,id=s0,refuse=on");
        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=n0,netdev=s0", "driver"));
        InjectDriver.Inject s0 = mem.get("s0");
        InjectDriver.Inject n0 = mem.get("n0");
        assertEquals(SendResult.QUEUED, n0.send(frame(1, 60), true));

        setOwnLink(s0, false);
        assertFalse(runtime.client("s0").linkUp());
        assertFalse(runtime.client("n0").linkUp(), "a NIC peer follows");
        assertEquals(List.of(false), s0.linkChanges());
        assertEquals(List.of(false), n0.linkChanges());
        s0.accept();
        assertEquals(List.of(60), n0.sentCallbacks(), "the waiting frame let go");
        assertEquals(0, s0.count());
        assertEquals(1L, runtime.client("s0").counters().drops().get("link-down"));

        setOwnLink(s0, true);
        assertTrue(runtime.client("n0").linkUp());
        assertEquals(List.of(false, true), n0.linkChanges());
        assertEquals(SendResult.SENT, n0.send(frame(2, 60), false));
        assertEquals(1, s0.count());
    }

    private static void setOwnLink(InjectDriver.Inject backend, boolean up) throws Exception {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        backend.context().loop().execute(() -> {
            backend.context().setLinkUp(up);
            done.complete(null);
        });
        done.get(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void forwardingThroughAHubAllocatesNothingPerFrame() throws Exception {
        netdev("mem,id=src");
        netdev("mem,id=dst1,tag=sink");
        netdev("mem,id=dst2,tag=sink");
        for (String id : List.of("src", "dst1", "dst2")) {
            netdev("hubport,id=p" + id + ",hubid=4,netdev=" + id);
        }
        InjectDriver.Inject src = mem.get("src");
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocateDirect(1514);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.concurrent.CompletableFuture<Long> allocated = new java.util.concurrent.CompletableFuture<>();
        int frames = 200_000;
        src.context().loop().execute(() -> {
            for (int i = 0; i < 20_000; i++) { // warm-up: JIT, pools
                src.context().send(frame.clear());
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < frames; i++) {
                src.context().send(frame.clear());
            }
            allocated.complete(threads.getCurrentThreadAllocatedBytes() - before);
        });
        long bytes = allocated.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(220_000L, mem.get("dst1").sunk());
        assertEquals(220_000L, mem.get("dst2").sunk());
        // One allocation per frame would be >= 16 B x 200 000 = 3.2 MB; a few KiB are one-off JIT work.
        assertTrue(bytes < 64 * 1024, "allocated " + bytes + " bytes for " + frames + " frames");
    }

    @Test
    void aSentCallbackComesWithZeroWhenThePeerGoesAndNeverAfterTheSendersClose() throws Exception {
        runtime.bindNicModel(mem, Map.of(net.api.NicModel.TYPE, "mem"));
        netdev("mem,id=s0");
        InjectDriver.Inject s0 = mem.get("s0");
        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=n0,netdev=s0,refuse=on", "driver"));
        assertEquals(SendResult.QUEUED, s0.send(frame(1, 60), true));
        runtime.deviceDel("n0");
        assertEquals(List.of(0), s0.sentCallbacks(), "purged with its receiver: length 0, to a sender still open");

        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=n1,netdev=s0,refuse=on", "driver"));
        assertEquals(SendResult.QUEUED, s0.send(frame(2, 60), true));
        runtime.netdevDel("s0");
        assertEquals(List.of("peer:none", "peer:none", "peer:none", "close", "release"), s0.calls());
        assertEquals(List.of(0), s0.sentCallbacks(), "nothing comes after the sender's own close()");
        assertEquals(0, runtime.client("n1").counters().queued(), "its frame was dropped with it");
    }

    @Test
    void framesCarriedToAnotherLoopAllocateNothingThere() throws Exception {
        runtime.close();
        runtime = new NetRuntime(2, name -> System.getLogger("test." + name));
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        netdev("mem,id=src"); // loop 0
        netdev("mem,id=dst,tag=sink"); // loop 1
        netdev("hubport,id=psrc,hubid=1,netdev=src");
        netdev("hubport,id=pdst,hubid=1,netdev=dst");
        InjectDriver.Inject src = mem.get("src");
        InjectDriver.Inject dst = mem.get("dst");
        java.nio.ByteBuffer frame = java.nio.ByteBuffer.allocateDirect(1514);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long receiver = onLoop(dst, () -> Thread.currentThread().threadId());
        int batch = 500;
        // Batches the mailbox between the loops can hold, each awaited at the sink: a warm-up, then the count.
        for (int i = 0; i < 40; i++) {
            sendBatch(src, frame, batch, dst, (i + 1L) * batch);
        }
        long before = threads.getThreadAllocatedBytes(receiver);
        int frames = 100 * batch;
        for (int i = 0; i < 100; i++) {
            sendBatch(src, frame, batch, dst, 40L * batch + (i + 1L) * batch);
        }
        long bytes = threads.getThreadAllocatedBytes(receiver) - before;
        // A view per frame on the receiving loop would be >= 48 B x 50 000 = 2.4 MB.
        assertTrue(bytes < 64 * 1024, "the receiving loop allocated " + bytes + " bytes for " + frames + " frames");
    }

    private static <T> T onLoop(InjectDriver.Inject client, java.util.concurrent.Callable<T> task) throws Exception {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        client.context().loop().execute(() -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void sendBatch(InjectDriver.Inject src, java.nio.ByteBuffer frame, int n, InjectDriver.Inject sink,
            long expected) throws Exception {
        onLoop(src, () -> {
            for (int i = 0; i < n; i++) {
                src.context().send(frame.clear());
            }
            return null;
        });
        Await.until(() -> sink.sunk() == expected, "the sink has " + expected + " frames, has " + sink.sunk());
    }

    /** A NIC model for tests that reports a receive filter. */
    static final class ReportingNic implements net.api.NicModel<InjectDriver.Options> {
        final Map<String, net.api.NetClientContext> contexts = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public Class<InjectDriver.Options> optionsType() {
            return InjectDriver.Options.class;
        }

        @Override
        public net.api.NetClient open(InjectDriver.Options options, net.api.NetClientContext context) {
            contexts.put(context.id(), context);
            return new Nic(context);
        }

        record Nic(net.api.NetClientContext context) implements net.api.NetClient, net.api.RxFilterReporter {
            @Override
            public net.api.Delivery receive(java.nio.ByteBuffer frame) {
                return net.api.Delivery.DELIVERED;
            }

            @Override
            public String info() {
                return "model=reporting,macaddr=52:54:00:12:34:56";
            }

            @Override
            public void close() {
            }

            @Override
            public net.api.RxFilterInfo rxFilter() {
                return new net.api.RxFilterInfo(context.id(), true, "normal", "normal", "all", false, false, false,
                        "52:54:00:12:34:56", List.of(), List.of(), List.of());
            }
        }
    }

    @Test
    void queryRxFilterAndItsEventFollowQemusRules() throws Exception {
        ReportingNic model = new ReportingNic();
        runtime.bindNicModel(model, Map.of(net.api.NicModel.TYPE, "reporting"));
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        runtime.bindNetEventListener((name, data, time) -> events.add(name + " " + data.get("name")));
        netdev("hubport,id=h1,hubid=1");
        assertEquals("n1", runtime.add(Section.DEVICE, QemuOptions.parse("reporting,id=n1,netdev=h1", "driver")));
        assertEquals("h1", runtime.client("n1").peer());
        assertEquals(List.of("n1"), runtime.queryRxFilter(null).stream().map(net.api.RxFilterInfo::name).toList());
        assertEquals("net client(h1) isn't a NIC", error(() -> runtime.queryRxFilter("h1")).getMessage());
        assertEquals("invalid net client name: zz", error(() -> runtime.queryRxFilter("zz")).getMessage());
        assertEquals("Property 'reporting.netdev' can't take value 'h1', it's in use",
                error(() -> runtime.add(Section.DEVICE, QemuOptions.parse("reporting,id=n2,netdev=h1", "driver"))).getMessage());

        net.api.NetClientContext nic = model.contexts.get("n1");
        Runnable change = () -> nic.loop().execute(nic::rxFilterChanged);
        change.run();
        change.run();
        Await.until(() -> events.size() == 1, Duration.ofSeconds(5), "one NIC_RX_FILTER_CHANGED");
        Thread.sleep(100); // the point: no second event comes meanwhile
        assertEquals(List.of("NIC_RX_FILTER_CHANGED n1"), events, "one event until the next query");
        runtime.queryRxFilter("n1");
        change.run();
        Await.until(() -> events.size() == 2, Duration.ofSeconds(5),
                "a second NIC_RX_FILTER_CHANGED after the query");
    }

    @ParameterizedTest
    @ValueSource(strings = {"on", "yes", "true", "y"})
    void booleansInQemuSpellings(String on) throws Exception {
        netdev("mem,id=x,refuse=" + on);
        assertTrue(mem.get("x").refusing());
    }

    /** QEMU 7.2 takes no digits for a boolean (checked with qemu-system-x86_64 -netdev). */
    @ParameterizedTest
    @ValueSource(strings = {"1", "0"})
    void digitsAreNoBoolean(String digit) {
        NetException e = assertThrows(NetException.class, () -> netdev("mem,id=x,refuse=" + digit));
        assertEquals("Parameter 'refuse' expects 'on' or 'off'", e.getMessage());
    }

    @Test
    void idRules() {
        assertTrue(Ids.isValid("a"));
        assertTrue(Ids.isValid("s0.x-y_z"));
        assertTrue(!Ids.isValid("0s"));
        assertTrue(!Ids.isValid("-s"));
        assertTrue(!Ids.isValid("s 0"));
        assertTrue(!Ids.isValid(""));
        assertTrue(!Ids.isValid("s,0"));
    }
}
