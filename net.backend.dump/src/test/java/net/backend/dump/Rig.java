package net.backend.dump;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetException;
import net.api.control.Section;
import net.api.dto.FilterDTO;
import net.api.options.QemuOptions;
import net.backend.socket.SocketDriver;
import net.hub.NetRuntime;

/**
 * The real runtime outside OSGi with this bundle's drivers, the socket driver and {@code inject}
 * (as a netdev type and a NIC model); events are seen as a management client sees them.
 */
final class Rig implements AutoCloseable {

    record Event(String name, Map<String, Object> data) {
    }

    final NetRuntime runtime = new NetRuntime(2, System::getLogger);
    final Inject inject = new Inject();
    final List<Event> events = new CopyOnWriteArrayList<>();

    Rig() {
        this(CaptureRing.DEFAULT_CAPACITY);
    }

    Rig(int ringSize) {
        runtime.bindNetEventListener((name, data, time) -> events.add(new Event(name, data)));
        runtime.bindNetClientDriver(inject, Map.of("net.type", "inject"));
        runtime.bindNicModel(inject, Map.of("nic.type", "inject"));
        runtime.bindNetClientDriver(new SocketDriver(), Map.of("net.type", "socket"));
        runtime.bindNetClientDriver(new DumpDriver(ringSize), Map.of("net.type", DumpDriver.TYPE));
        runtime.bindNetFilterDriver(new DumpFilterDriver(ringSize), Map.of("filter.type", DumpFilterDriver.TYPE));
    }

    String add(Section section, String options) throws NetException {
        return runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    String netdev(String options) throws NetException {
        return add(Section.NETDEV, options);
    }

    String object(String options) throws NetException {
        return add(Section.OBJECT, options);
    }

    /** @return the error QEMU's words give for these options; fails when they were accepted */
    String error(Section section, String options) {
        try {
            add(section, options);
        } catch (NetException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + options);
    }

    /** Two inject netdevs {@code a} and {@code b} on hub 1. */
    Rig pair() throws NetException {
        netdev("inject,id=a");
        netdev("inject,id=b");
        netdev("hubport,id=ha,hubid=1,netdev=a");
        netdev("hubport,id=hb,hubid=1,netdev=b");
        return this;
    }

    Inject.Client client(String id) {
        return inject.get(id);
    }

    FilterDTO filter(String netdev, String id) throws NetException {
        return runtime.client(netdev).filters().stream().filter(f -> f.id().equals(id)).findFirst().orElseThrow();
    }

    List<Event> events(String name) {
        return events.stream().filter(e -> e.name().equals(name)).toList();
    }

    private boolean closed;

    /** Closes the runtime (every file is complete afterwards); a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            runtime.close();
        }
    }
}
