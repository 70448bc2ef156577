package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetClientDriver;
import net.api.NetException;
import net.control.QemuOptions;
import net.control.Section;
import net.control.dto.NetClientDTO;
import net.testlib.Await;
import net.testlib.InjectDriver;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A driver with a bug, throwing from or blocking in open, receive or close: its netdev alone
 * fails (state, event, one log line), frames between the other netdevs of its hub keep flowing,
 * and queries are answered within {@link Snapshots#QUERY_TIMEOUT} and a margin.
 *
 * <p>Three loops, given round-robin: {@code by} (a bystander) and {@code bad} on loop 0, {@code src}
 * on loop 1, {@code dst} on loop 2; {@code src}, {@code dst} and {@code bad} on hub 1.
 */
@Timeout(60)
class FaultyDriverTest {

    private static final Duration DEADLINE = Duration.ofMillis(400);
    /** A blocking call lasts well past the deadline and the query bound. */
    private static final int BLOCK_MS = 4000;
    private static final Duration QUERY_BOUND = Snapshots.QUERY_TIMEOUT.plusSeconds(1);

    private final RecordingLog log = new RecordingLog("test");
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final InjectDriver mem = new InjectDriver();
    private final NetRuntime runtime = new NetRuntime(3, name -> log, DEADLINE);
    private int sent;

    @BeforeEach
    void start() throws Exception {
        runtime.bindNetEventListener((name, data, time) -> events.add(name + " " + data));
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        netdev("mem,id=by"); // loop 0
        netdev("mem,id=src"); // loop 1
        netdev("mem,id=dst"); // loop 2
        netdev("hubport,id=psrc,hubid=1,netdev=src");
        netdev("hubport,id=pdst,hubid=1,netdev=dst");
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private void netdev(String options) throws NetException {
        runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    /** The faulty netdev, on loop 0 beside {@code by}, on hub 1. */
    private void addBad(String faults) throws NetException {
        netdev("mem,id=bad," + faults);
        netdev("hubport,id=pbad,hubid=1,netdev=bad");
    }

    /** Sends frames from src and waits until dst has them all: the hub carries on. */
    private void hubCarriesOn(int frames) throws Exception {
        for (int i = 0; i < frames; i++) {
            mem.get("src").send(new byte[] {(byte) sent++, 1, 2, 3}, false);
        }
        Await.until(() -> mem.get("dst").count() == sent, Duration.ofSeconds(5), "dst to have all " + sent + " frames");
    }

    /** A query answers within the bound, showing the healthy netdevs as they are. */
    private Map<String, NetClientDTO> queryAnswers() {
        long start = System.nanoTime();
        List<NetClientDTO> clients = runtime.network().clients();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(QUERY_BOUND) < 0, "the query took " + took.toMillis() + " ms");
        Map<String, NetClientDTO> byName = new java.util.HashMap<>();
        clients.forEach(c -> byName.put(c.name(), c));
        for (String healthy : List.of("src", "dst", "psrc", "pdst")) {
            assertEquals("active", byName.get(healthy).state(), healthy);
        }
        return byName;
    }

    private static List<String> closeAndRelease(InjectDriver.Inject netdev) {
        return netdev.calls().stream().filter(c -> c.equals("close") || c.equals("release")).toList();
    }

    private List<String> errors() {
        return log.messages(System.Logger.Level.ERROR);
    }

    private long errorsAbout(String name) {
        return errors().stream().filter(m -> m.startsWith(name + ":") || m.startsWith("netdev " + name + ":")).count();
    }

    @Test
    void throwingFromReceiveFailsOnlyThatNetdev() throws Exception {
        addBad("fail=receive");
        hubCarriesOn(1);
        Await.until(() -> "failed".equals(runtime.client("bad").state()), Duration.ofSeconds(5), "bad to fail");

        NetClientDTO bad = runtime.client("bad");
        assertEquals("the driver's receive() failed (see the log)", bad.error());
        assertEquals(1L, bad.counters().drops().get("backend-error"), bad.counters().drops().toString());
        assertEquals(List.of("close", "release"), closeAndRelease(mem.get("bad")));
        Await.until(() -> events.contains("X_NETDEV_FAILED {id=bad, reason=the driver's receive() failed (see the log)}"),
                Duration.ofSeconds(5), "the event", events::toString);
        hubCarriesOn(100);
        assertEquals(1L, errorsAbout("bad"), "one log line: " + errors());
        queryAnswers();
        runtime.netdevDel("bad");
    }

    @Test
    void throwingFromOpenRefusesTheNetdevInQemuWordsAndFailsADeclaredOne() throws Exception {
        NetException e = assertThrows(NetException.class, () -> netdev("mem,id=bad,fail=open"));
        assertEquals("Device 'mem' could not be initialized", e.getMessage());
        assertThrows(NetException.class, () -> runtime.client("bad"), "a failed add leaves nothing behind");
        assertEquals(List.of("bad: the driver's open() threw java.lang.IllegalStateException: open broken on purpose"),
                errors());
        hubCarriesOn(10);

        // Declared before its driver came: it fails when the driver arrives (as after a hot deploy).
        InjectDriver late = new InjectDriver();
        runtime.declare(Section.NETDEV, QemuOptions.parse("late,id=decl,fail=open", "type"));
        runtime.bindNetClientDriver(late, Map.of(NetClientDriver.TYPE, "late"));
        NetClientDTO decl = runtime.client("decl");
        assertEquals("failed", decl.state());
        assertEquals("Device 'late' could not be initialized", decl.error());
        assertEquals(List.of("X_NETDEV_FAILED {id=decl, reason=Device 'late' could not be initialized}"), events);
        assertEquals(1L, errorsAbout("decl"), "one log line: " + errors());
        hubCarriesOn(10);
        queryAnswers();
    }

    @Test
    void throwingFromCloseStillDeletesAndReleases() throws Exception {
        addBad("fail=close");
        hubCarriesOn(5);
        runtime.netdevDel("bad");
        assertThrows(NetException.class, () -> runtime.client("bad"), "gone");
        assertEquals(List.of("close", "release"), closeAndRelease(mem.get("bad")));
        assertEquals(1L, errorsAbout("bad"), "one log line: " + errors());
        hubCarriesOn(5);
        queryAnswers();
    }

    @Test
    void blockingInOpenFailsTheAddAtItsDeadlineWhileTheRestGoesOn() throws Exception {
        NetException e = assertThrows(NetException.class, () -> addBad("openms=" + BLOCK_MS));
        assertEquals("the driver's open() did not return within 0.4 s", e.getMessage());
        hubCarriesOn(10);
        assertEquals("unknown", queryAnswers().get("by").state(), "by shares the blocked loop");
        Await.until(() -> "active".equals(runtime.client("by").state()), Duration.ofSeconds(10), "loop 0 to be back");
        assertThrows(NetException.class, () -> runtime.client("bad"), "a failed add leaves nothing behind");
        hubCarriesOn(10);
    }

    /**
     * A receive that blocks holds its loop: the netdevs that share that loop wait with it (as every
     * netdev waits for QEMU's main loop), while the hub's other ports and the queries go on.
     */
    @Test
    void blockingInReceiveHoldsOnlyItsLoop() throws Exception {
        addBad("receivems=" + BLOCK_MS);
        hubCarriesOn(1); // bad now blocks its loop for a while
        Await.until(() -> mem.get("bad").count() == 0 && "unknown".equals(queryAnswers().get("by").state()),
                Duration.ofSeconds(5), "loop 0 to be held");
        hubCarriesOn(100);
        Await.until(() -> mem.get("bad").count() > 0 && "active".equals(runtime.client("bad").state()),
                Duration.ofSeconds(30), "bad to take its frames once it returns");
        hubCarriesOn(10);
    }

    @Test
    void blockingInCloseFailsTheDeleteAtItsDeadlineAndASecondDeleteFinishes() throws Exception {
        addBad("closems=" + BLOCK_MS);
        NetException e = assertThrows(NetException.class, () -> runtime.netdevDel("bad"));
        assertEquals("closing took longer than 0.4 s", e.getMessage());
        hubCarriesOn(10);
        assertEquals("unknown", queryAnswers().get("by").state(), "by shares the blocked loop");
        Await.until(() -> "failed".equals(runtime.client("bad").state()), Duration.ofSeconds(10),
                "bad to show failed once its loop answers");
        assertEquals("closing took longer than 0.4 s", runtime.client("bad").error());
        Await.until(() -> mem.get("bad").calls().contains("release"), Duration.ofSeconds(10), "the late release");
        runtime.netdevDel("bad");
        assertThrows(NetException.class, () -> runtime.client("bad"), "gone");
        hubCarriesOn(10);
    }
}
