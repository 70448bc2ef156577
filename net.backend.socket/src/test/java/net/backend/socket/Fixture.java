package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import net.api.NetException;
import net.api.control.NetEventListener;
import net.api.control.Section;
import net.api.dto.NetClientDTO;
import net.api.options.QemuOptions;
import net.hub.NetRuntime;

/** The real runtime outside OSGi with this bundle's three drivers, and what the tests ask of it. */
final class Fixture implements AutoCloseable {

    /** An event the runtime emitted. */
    record Event(String name, Map<String, Object> data) {
    }

    final NetRuntime runtime;
    final SocketDriver socket = new SocketDriver();
    final List<Event> events = new CopyOnWriteArrayList<>();

    Fixture() {
        this(2);
    }

    Fixture(int loops) {
        runtime = new NetRuntime(loops, System::getLogger);
        runtime.bindNetClientDriver(socket, Map.of("net.type", "socket"));
        runtime.bindNetClientDriver(new StreamDriver(), Map.of("net.type", "stream"));
        runtime.bindNetClientDriver(new DgramDriver(), Map.of("net.type", "dgram"));
        NetEventListener listener = (name, data, time) -> events.add(new Event(name, data));
        runtime.bindNetEventListener(listener);
    }

    /** @param options e.g. {@code socket,id=s0,listen=127.0.0.1:4000} */
    String netdev(String options) throws NetException {
        return runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    /** Joins netdevs to hub 1 with hubports named h-ID. */
    void hub(String... ids) throws NetException {
        for (String id : ids) {
            netdev("hubport,id=h-" + id + ",hubid=1,netdev=" + id);
        }
    }

    /** @return QEMU's message for these options; a netdev wrongly accepted is deleted again */
    String error(String options) {
        String id;
        try {
            id = netdev(options);
        } catch (NetException e) {
            return e.getMessage();
        }
        try {
            runtime.netdevDel(id);
        } catch (NetException e) {
            // the failure below is what matters
        }
        fail("accepted: " + options);
        return null;
    }

    NetClientDTO client(String id) throws NetException {
        return runtime.client(id);
    }

    String info(String id) throws NetException {
        return client(id).info();
    }

    long counter(String id, String name) throws NetException {
        return client(id).counters().drops().getOrDefault(name, 0L);
    }

    /** Waits until a listening {@code socket} netdev shows {@code peer} as its connected client. */
    void awaitConnectionFrom(String id, Peer peer) throws Exception {
        awaitInfo(id, "socket: connection from 127.0.0.1:" + peer.socket.getLocalPort());
    }

    void awaitInfo(String id, String expected) throws Exception {
        await(() -> {
            try {
                return expected.equals(info(id));
            } catch (NetException e) {
                return false;
            }
        }, id + " info '" + expected + "'");
        assertEquals(expected, info(id));
    }

    void awaitCounter(String id, String name, long atLeast) throws Exception {
        await(() -> {
            try {
                return counter(id, name) >= atLeast;
            } catch (NetException e) {
                return false;
            }
        }, id + " counter " + name + " >= " + atLeast);
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** @return a TCP port nobody listens on now */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        runtime.close();
    }
}
