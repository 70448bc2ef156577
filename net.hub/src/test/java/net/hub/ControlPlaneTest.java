package net.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import net.testlib.Background;
import net.testlib.InjectDriver;
import net.testlib.RecordingLog;
import net.testlib.PassFilterDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane around slow and misbehaving drivers: nothing waits for a release it does not
 * need, an open that outlives its deadline is cleaned up, an update keeps the netdev's place, and
 * drivers coming and going are logged.
 */
class ControlPlaneTest {

    private static final Duration DEADLINE = Duration.ofMillis(400);

    private final RecordingLog log = new RecordingLog("test");
    private final InjectDriver mem = new InjectDriver();
    private final NetRuntime runtime = new NetRuntime(2, name -> log, DEADLINE);

    private List<String> info() {
        return log.messages(System.Logger.Level.INFO);
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    private void netdev(String options) throws NetException {
        runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    private void bindMem() {
        runtime.bindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
    }

    @Test
    void queriesAndOtherNetdevsGoOnWhileAReleaseBlocks() throws Exception {
        bindMem();
        netdev("mem,id=slow");
        netdev("mem,id=other");
        mem.get("slow").releaseDelay(Duration.ofMillis(3000));
        Thread deleting = Background.start(() -> runtime.netdevDel("slow"));
        try {
            Await.until(() -> mem.get("slow").releasedOn() != null, Duration.ofSeconds(2), "the release to start");
            long start = System.nanoTime();
            List<String> names = runtime.network().clients().stream().map(NetClientDTO::name).toList();
            assertEquals("active", runtime.client("other").state());
            netdev("mem,id=fresh");
            runtime.netdevDel("fresh");
            long took = System.nanoTime() - start;
            assertTrue(deleting.isAlive(), "netdev_del still waits for its release");
            assertTrue(took < Duration.ofMillis(100).toNanos(), "queries and other netdevs took " + took / 1_000_000 + " ms");
            assertTrue(names.contains("other"), names.toString());
        } finally {
            deleting.join(10_000);
        }
        assertFalse(deleting.isAlive());
        assertThrows(NetException.class, () -> runtime.client("slow"), "gone once netdev_del returned");
    }

    @Test
    void anOpenThatFinishesAfterItsDeadlineIsClosedAndReleasedAndTheNetdevFailed() throws Exception {
        runtime.declare(Section.NETDEV, QemuOptions.parse("mem,id=late,openms=1200", "type"));
        bindMem(); // opens the declared netdev, which takes longer than the deadline
        NetClientDTO late = runtime.client("late");
        assertEquals("failed", late.state());
        assertEquals("the driver's open() did not return within 0.4 s", late.error());
        Await.until(() -> mem.find("late").isPresent() && mem.get("late").releasedOn() != null, Duration.ofSeconds(5),
                "the late open to be closed and released");
        assertEquals(List.of("close", "release"), mem.get("late").calls(), "closed on the loop, then released");
        assertEquals("failed", runtime.client("late").state(), "still failed, with the reason");
        assertNull(runtime.client("late").info());

        NetException e = assertThrows(NetException.class, () -> netdev("mem,id=slow,openms=1200"));
        assertEquals("the driver's open() did not return within 0.4 s", e.getMessage());
        assertThrows(NetException.class, () -> runtime.client("slow"), "a failed add leaves nothing behind");
        Await.until(() -> mem.find("slow").isPresent() && mem.get("slow").releasedOn() != null, Duration.ofSeconds(5),
                "the slow open to be closed and released");
        assertEquals(List.of("close", "release"), mem.get("slow").calls());
    }

    @Test
    void updateToAnotherTypeKeepsPeerHubPortAndFilters() throws Exception {
        bindMem();
        InjectDriver other = new InjectDriver();
        runtime.bindNetClientDriver(other, Map.of(NetClientDriver.TYPE, "other"));
        runtime.bindNetFilterDriver(new PassFilterDriver<>(PassFilterDriver.Options.class), Map.of(net.api.NetFilterDriver.TYPE, "filter-pass"));
        netdev("mem,id=a");
        netdev("mem,id=b");
        netdev("hubport,id=pa,hubid=1,netdev=a");
        netdev("hubport,id=pb,hubid=1,netdev=b");
        runtime.add(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=a", "qom-type"));

        runtime.update(Section.NETDEV, QemuOptions.parse("other,id=a,tag=moved", "type"));

        NetClientDTO a = runtime.client("a");
        assertEquals("other", a.type());
        assertEquals("active", a.state());
        assertEquals("pa", a.peer());
        assertEquals(Map.of("tag", "moved"), a.options());
        assertEquals(List.of("f0"), a.filters().stream().map(f -> f.id()).toList());
        assertEquals("active", a.filters().get(0).state());
        assertTrue(mem.get("a").closed(), "the old backend closed");
        assertEquals(List.of("peer:1"), other.get("a").calls(), "the new one opened into its place");
        other.get("a").send(new byte[60], false);
        Await.until(() -> mem.get("b").count() == 1, Duration.ofSeconds(5),
                "the frame at b through the updated netdev");
    }

    @Test
    void updateMakesAHubportAfreshAndReopensAFilterInItsPlaceUnlessItMoves() throws Exception {
        bindMem();
        runtime.bindNetFilterDriver(new PassFilterDriver<>(PassFilterDriver.Options.class), Map.of(net.api.NetFilterDriver.TYPE, "filter-pass"));
        netdev("mem,id=a");
        netdev("hubport,id=pa,hubid=1,netdev=a");
        runtime.update(Section.NETDEV, QemuOptions.parse("hubport,id=pa,hubid=2,netdev=a", "type"));
        assertEquals(Integer.valueOf(2), runtime.client("pa").hub());
        assertEquals("a", runtime.client("pa").peer());

        runtime.add(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=a", "qom-type"));
        runtime.add(Section.OBJECT, QemuOptions.parse("filter-pass,id=f1,netdev=a", "qom-type"));
        runtime.update(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=a,status=off", "qom-type"));
        NetClientDTO a = runtime.client("a");
        assertEquals(List.of("f0", "f1"), a.filters().stream().map(f -> f.id()).toList(), "f0 kept its place");
        assertEquals("off", a.filters().get(0).status());
        assertEquals("active", a.filters().get(0).state());

        runtime.update(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=a,queue=rx", "qom-type"));
        a = runtime.client("a");
        assertEquals(List.of("f1", "f0"), a.filters().stream().map(f -> f.id()).toList(), "made afresh, at the tail");
        assertEquals("rx", a.filters().get(1).queue());
        assertEquals("active", a.filters().get(1).state());
    }

    @Test
    void filterStatusChangesInPlaceAndOptionTypesAndDeviceDeletedFollowWhatIsThere() throws Exception {
        bindMem();
        PassFilterDriver<?> pass = new PassFilterDriver<>(PassFilterDriver.Options.class);
        runtime.bindNetFilterDriver(pass, Map.of(net.api.NetFilterDriver.TYPE, "filter-pass"));
        runtime.bindNicModel(mem, Map.of(net.api.NicModel.TYPE, "mem"));
        List<String> events = new CopyOnWriteArrayList<>();
        runtime.bindNetEventListener((name, data, time) -> events.add(name + " " + data));
        netdev("mem,id=a");
        runtime.add(Section.OBJECT, QemuOptions.parse("filter-pass,id=f0,netdev=a", "qom-type"));

        runtime.setFilterStatus("f0", false);
        assertEquals("off", runtime.client("a").filters().get(0).status());
        assertEquals("active", runtime.client("a").filters().get(0).state());
        assertEquals(List.of(), pass.calls(), "neither closed nor released: a capture keeps its file");
        runtime.setFilterStatus("f0", true);
        assertEquals("on", runtime.client("a").filters().get(0).status());
        assertEquals("object 'f9' not found", assertThrows(NetException.class,
                () -> runtime.setFilterStatus("f9", false)).getMessage());

        assertEquals(List.of("hubport", "mem"), List.copyOf(runtime.optionTypes(Section.NETDEV).keySet()));
        assertEquals(HubPortOptions.class, runtime.optionTypes(Section.NETDEV).get("hubport"));
        assertEquals(InjectDriver.Options.class, runtime.optionTypes(Section.NETDEV).get("mem"));
        assertEquals(Map.of("filter-pass", PassFilterDriver.Options.class), runtime.optionTypes(Section.OBJECT));
        assertEquals(Map.of("mem", InjectDriver.Options.class), runtime.optionTypes(Section.DEVICE));
        runtime.unbindNetFilterDriver(pass, Map.of(net.api.NetFilterDriver.TYPE, "filter-pass"));
        assertEquals(Map.of(), runtime.optionTypes(Section.OBJECT));

        netdev("hubport,id=h1,hubid=1");
        runtime.add(Section.DEVICE, QemuOptions.parse("mem,id=n1,netdev=h1", "driver"));
        runtime.deviceDel("n1");
        assertEquals(List.of("DEVICE_DELETED {device=n1, path=/machine/peripheral/n1}"), events);
    }

    @Test
    void driverTypesComingAndGoingAreLoggedAndAMissingTypeIsQemusUnknownValue() throws Exception {
        bindMem();
        assertTrue(info().contains("netdev type 'mem' available from (class path)"), info().toString());
        runtime.unbindNetClientDriver(mem, Map.of(NetClientDriver.TYPE, "mem"));
        assertTrue(info().contains("netdev type 'mem' from (class path) left; its instances wait for a driver"),
                info().toString());
        NetException e = assertThrows(NetException.class, () -> netdev("mem,id=m"));
        assertEquals("Parameter 'type' does not accept value 'mem'", e.getMessage());
    }
}
