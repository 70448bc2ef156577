package net.backend.user;

import net.backend.socket.SocketDriver;
import net.backend.tap.TapDriver;
import net.testkit.TestRuntime;

/**
 * The test kit's runtime with the user driver, the tap driver for namespaces on its hub and the
 * socket driver for QEMU VMs.
 */
final class Fixture extends TestRuntime {

    Fixture() {
        super(2);
        netdevType("user", new UserDriver());
        netdevType("tap", new TapDriver());
        netdevType("socket", new SocketDriver());
    }
}
