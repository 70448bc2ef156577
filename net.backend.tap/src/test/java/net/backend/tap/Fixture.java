package net.backend.tap;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import net.api.NetException;
import net.api.control.Section;
import net.api.options.QemuOptions;
import net.backend.socket.SocketDriver;
import net.hub.NetRuntime;

/** The real runtime outside OSGi with this bundle's drivers (and the socket driver for QEMU peers). */
final class Fixture implements AutoCloseable {

    final NetRuntime runtime = new NetRuntime(2, System::getLogger);
    final TapDriver tap = new TapDriver();

    Fixture() {
        runtime.bindNetClientDriver(tap, Map.of("net.type", "tap"));
        runtime.bindNetClientDriver(new BridgeDriver(), Map.of("net.type", "bridge"));
        runtime.bindNetClientDriver(new SocketDriver(), Map.of("net.type", "socket"));
    }

    /** @param options e.g. {@code tap,id=t0,ifname=pbt0,script=no,downscript=no} */
    String netdev(String options) throws NetException {
        return runtime.add(Section.NETDEV, QemuOptions.parse(options, "type"));
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

    String info(String id) throws NetException {
        return runtime.client(id).info();
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

    @Override
    public void close() {
        runtime.close();
    }
}
