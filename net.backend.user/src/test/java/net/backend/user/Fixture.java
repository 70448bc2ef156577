package net.backend.user;

import net.backend.tap.TapDriver;
import net.testkit.TestRuntime;

/** The test kit's runtime with the user driver, and the tap driver for namespaces on its hub. */
final class Fixture extends TestRuntime {

    Fixture() {
        super(2);
        netdevType("user", new UserDriver());
        netdevType("tap", new TapDriver());
    }
}
