package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.control.Section;
import net.api.dto.NetClientDTO;
import net.api.options.QemuOptions;
import net.hub.NetRuntime;

/** The real runtime outside OSGi with the l2tpv3 driver and the tests' sink, and what the tests ask of it. */
final class Fixture implements AutoCloseable {

    final NetRuntime runtime;
    final SinkDriver sink = new SinkDriver();

    Fixture() {
        runtime = new NetRuntime(2, name -> System.getLogger("l2tpv3-test." + name));
        runtime.bindNetClientDriver(new L2tpv3Driver(), Map.of(NetClientDriver.TYPE, "l2tpv3"));
        runtime.bindNetClientDriver(sink, Map.of(NetClientDriver.TYPE, SinkDriver.TYPE));
    }

    /** @param options e.g. {@code l2tpv3,id=t0,src=127.0.0.1,...} */
    String netdev(String options) throws NetException {
        return runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
    }

    /** Joins netdevs to a hub with hubports named h-ID. */
    void hub(int hubId, String... ids) throws NetException {
        for (String id : ids) {
            netdev("hubport,id=h-" + id + ",hubid=" + hubId + ",netdev=" + id);
        }
    }

    /** @return the runtime's message for these options; a netdev wrongly accepted is deleted again */
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

    long counter(String id, String name) {
        try {
            return client(id).counters().drops().getOrDefault(name, 0L);
        } catch (NetException e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("timed out after " + limit.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        runtime.close();
    }
}
