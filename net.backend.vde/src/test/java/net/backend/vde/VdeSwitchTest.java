package net.backend.vde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Patchbay {@code vde} netdevs on one real vde_switch, each on its own hub with an inject netdev:
 * frames cross the switch both ways byte for byte; a switch killed with SIGKILL leaves both netdevs
 * up, counting what they cannot send, and a switch started again on the same directory is rejoined.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class VdeSwitchTest {

    /** The rejoin promise: a restarted switch is joined again well within this. */
    private static final Duration REJOIN = Duration.ofSeconds(60);

    @TempDir
    Path work;
    private Fixture fx;
    private VdeSwitch sw;

    @BeforeAll
    static void needVde() {
        Installed.require(VdeSwitch.BINARY);
    }

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture();
        sw = VdeSwitch.start(work, work.resolve("sw"));
        fx.netdev("vde,id=v1,sock=" + sw.dir());
        fx.netdev("vde,id=v2,sock=" + sw.dir() + ",port=7,mode=0750");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.netdev(InjectDriver.TYPE + ",id=s2");
        fx.hub(1, "v1", "s1");
        fx.hub(2, "v2", "s2");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            fx.close();
        } finally {
            sw.close();
        }
    }

    @Test
    void framesCrossTheSwitchBothWays() throws Exception {
        assertTrue(fx.info("v1").matches("sock=" + sw.dir() + ",fd=\\d+"), fx.info("v1"));
        crosses("s1", "s2", 1, 60);
        crosses("s2", "s1", 2, 1514);
        assertEquals(0, fx.drops("v1", VdeBackend.NO_SWITCH) + fx.drops("v2", VdeBackend.NO_SWITCH));
    }

    @Test
    void theDataSocketTakesModeAndPortAndIsRemovedOnClose() throws Exception {
        List<Path> sockets;
        try (Stream<Path> files = Files.list(sw.dir())) {
            sockets = files.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
        assertEquals(2, sockets.size(), sockets.toString());
        assertTrue(sockets.stream().anyMatch(p -> permissions(p).equals("rwxr-x---")), sockets.toString());
        // port=7: vde_switch names its socket for the port after the port number.
        try (Stream<Path> files = Files.list(sw.dir())) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("007.")), "port 7 taken");
        }
        fx.close();
        try (Stream<Path> files = Files.list(sw.dir())) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".")).toList());
        }
    }

    /** vde_switch never answers for a port beyond its count (32): QEMU hangs at start-up, Patchbay gives up after 2 s. */
    @Test
    void aSwitchThatNeverAnswersIsAnErrorAfterABoundedWait() {
        long start = System.nanoTime();
        assertEquals("Could not open vde: Connection timed out", fx.error("vde,id=x,sock=" + sw.dir() + ",port=999"));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis >= VdeBackend.OPEN_WAIT_MILLIS && millis < 3 * VdeBackend.OPEN_WAIT_MILLIS, millis + " ms");
    }

    @Test
    void aKilledSwitchLeavesTheNetdevsUpAndARestartedOneIsRejoined() throws Exception {
        crosses("s1", "s2", 1, 60);
        sw.kill();
        // Under traffic: frames keep coming while no switch is there; they are dropped and counted.
        Await.until(() -> {
            fx.inject.get("s1").send(List.of(Frames.testFrame(100, 60)));
            return fx.drops("v1", VdeBackend.NO_SWITCH) >= 3;
        }, Duration.ofSeconds(10), "frames for the dead switch counted as " + VdeBackend.NO_SWITCH);
        assertEquals(0, fx.counter("v1", VdeBackend.REJOINS));
        fx.client("v1");
        fx.client("v2");
        // The hub's other ports are unaffected: a port joined now gets s1's frames while the switch is gone.
        fx.netdev(InjectDriver.TYPE + ",id=s3");
        fx.hub(1, "s3");
        crosses("s1", "s3", 4, 60);

        sw.restart(work);
        long restarted = System.nanoTime();
        Await.until(() -> {
            fx.inject.get("s1").send(List.of(Frames.testFrame(101, 60)));
            return fx.counter("v1", VdeBackend.REJOINS) >= 1 && fx.counter("v2", VdeBackend.REJOINS) >= 1;
        }, REJOIN, "both netdevs rejoined the restarted switch");
        assertTrue(System.nanoTime() - restarted < REJOIN.toNanos());
        crosses("s1", "s2", 2, 60);
        crosses("s2", "s1", 3, 1514);
    }

    /** Sends a test frame from one inject netdev and waits for it, byte for byte, at the other. */
    private void crosses(String from, String to, int seq, int length) throws Exception {
        byte[] frame = Frames.testFrame(seq, length);
        InjectDriver.Inject sink = fx.inject.get(to);
        // The switch learns nothing from test frames to an unknown MAC: it floods them to every port.
        assertEquals(List.of(SendResult.SENT), fx.inject.get(from).send(List.of(frame)));
        Await.until(() -> sink.received().stream().anyMatch(f -> Arrays.equals(f, frame)),
                "frame " + seq + " from " + from + " at " + to);
        assertArrayEquals(frame, sink.received().stream().filter(f -> Arrays.equals(f, frame)).findFirst().orElseThrow());
    }

    private static String permissions(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
