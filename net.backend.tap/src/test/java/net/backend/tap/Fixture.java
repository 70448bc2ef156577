package net.backend.tap;

import net.backend.socket.SocketDriver;
import net.testkit.TestRuntime;

/** The test kit's runtime with this bundle's drivers, and the socket driver for QEMU peers. */
final class Fixture extends TestRuntime {

    final TapDriver tap = new TapDriver();

    Fixture() {
        this(2);
    }

    /** @param loops how many event loops; one puts every netdev on the same loop */
    Fixture(int loops) {
        super(loops);
        netdevType("tap", tap);
        netdevType("bridge", new BridgeDriver());
        netdevType("socket", new SocketDriver());
    }
}
