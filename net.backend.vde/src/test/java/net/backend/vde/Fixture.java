package net.backend.vde;

import net.testkit.TestRuntime;

/** The test kit's runtime with the vde driver; its inject netdev is the tests' sink and source. */
final class Fixture extends TestRuntime {

    Fixture() {
        super(2);
        netdevType("vde", new VdeDriver());
    }
}
