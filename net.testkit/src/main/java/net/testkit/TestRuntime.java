package net.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.control.Section;
import net.control.dto.FilterDTO;
import net.control.dto.NetClientDTO;
import net.control.QemuOptions;
import net.hub.NetRuntime;
import net.testlib.Await;
import net.testlib.InjectDriver;

/**
 * The real runtime outside OSGi, as a driver's tests use it: the drivers under test bound by their
 * type, the {@value InjectDriver#TYPE} netdev and NIC model always there, the events a management
 * client would see, options in QEMU's command-line syntax and QEMU's error texts back. A module's
 * fixture extends it with its drivers.
 */
public class TestRuntime implements AutoCloseable {

    /** An event the runtime emitted. */
    public record Event(String name, Map<String, Object> data) {
    }

    public final NetRuntime runtime;
    public final InjectDriver inject = new InjectDriver();
    public final List<Event> events = new CopyOnWriteArrayList<>();
    private boolean closed;

    /** @param loops how many event loops the runtime runs */
    public TestRuntime(int loops) {
        runtime = new NetRuntime(loops, System::getLogger);
        runtime.bindNetEventListener((name, data, time) -> events.add(new Event(name, data)));
        netdevType(InjectDriver.TYPE, inject);
        nicModel(InjectDriver.TYPE, inject);
    }

    public final TestRuntime netdevType(String type, NetClientDriver<?> driver) {
        runtime.bindNetClientDriver(driver, Map.of(NetClientDriver.TYPE, type));
        return this;
    }

    public final TestRuntime filterType(String type, NetFilterDriver<?> driver) {
        runtime.bindNetFilterDriver(driver, Map.of(NetFilterDriver.TYPE, type));
        return this;
    }

    public final TestRuntime nicModel(String type, NicModel<?> model) {
        runtime.bindNicModel(model, Map.of(NicModel.TYPE, type));
        return this;
    }

    /** @param options e.g. {@code object} and {@code filter-dump,id=f0,netdev=n0,file=x.pcap} */
    public String add(Section section, String options) throws NetException {
        return runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    /** @param options e.g. {@code socket,id=s0,listen=127.0.0.1:4000} */
    public String netdev(String options) throws NetException {
        return add(Section.NETDEV, options);
    }

    public String object(String options) throws NetException {
        return add(Section.OBJECT, options);
    }

    /** Joins netdevs to hub 1 with hubports named h-ID. */
    public void hub(String... ids) throws NetException {
        hub(1, ids);
    }

    /** Joins netdevs to a hub with hubports named h-ID. */
    public void hub(int hubId, String... ids) throws NetException {
        for (String id : ids) {
            netdev("hubport,id=h-" + id + ",hubid=" + hubId + ",netdev=" + id);
        }
    }

    /** @return QEMU's message for these netdev options */
    public String error(String options) {
        return error(Section.NETDEV, options);
    }

    /** @return QEMU's message for these options; fails the test when they are accepted, after deleting what they made */
    public String error(Section section, String options) {
        String id;
        try {
            id = add(section, options);
        } catch (NetException e) {
            return e.getMessage();
        }
        try {
            switch (section) {
                case NETDEV -> runtime.netdevDel(id);
                case OBJECT -> runtime.objectDel(id);
                case DEVICE -> runtime.deviceDel(id);
                case NET, CHARDEV -> {
                    // -net has no deletion; closing the runtime ends it (chardevs never get here)
                }
            }
        } catch (NetException e) {
            // the failure below is what matters
        }
        fail("accepted: " + options);
        return null;
    }

    public NetClientDTO client(String id) throws NetException {
        return runtime.client(id);
    }

    public String info(String id) throws NetException {
        return client(id).info();
    }

    /** @return frames the netdev dropped for this reason, 0 when it has not counted any */
    public long drops(String id, String reason) throws NetException {
        return client(id).counters().drops().getOrDefault(reason, 0L);
    }

    /** @return a counter of the netdev's open backend that is no drop ({@code eof}), 0 when none */
    public long counter(String id, String name) throws NetException {
        return client(id).counters().driver().getOrDefault(name, 0L);
    }

    public FilterDTO filter(String netdev, String id) throws NetException {
        return client(netdev).filters().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
    }

    /** @return the events of this name so far, in order */
    public List<Event> events(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    /** Waits until the netdev's info string is exactly {@code expected}. */
    public void awaitInfo(String id, String expected) throws Exception {
        Await.until(() -> expected.equals(info(id)), id + " info '" + expected + "'");
        assertEquals(expected, info(id));
    }

    public void awaitCounter(String id, String name, long atLeast) throws Exception {
        Await.until(() -> counter(id, name) >= atLeast, id + " counter " + name + " >= " + atLeast);
    }

    public void awaitDrops(String id, String reason, long atLeast) throws Exception {
        Await.until(() -> drops(id, reason) >= atLeast, id + " drops " + reason + " >= " + atLeast);
    }

    /** Closes the runtime, which completes whatever its drivers write; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            runtime.close();
        }
    }
}
