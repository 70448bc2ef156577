package net.backend.l2tpv3;

import net.testkit.TestRuntime;

/** The test kit's runtime with the l2tpv3 driver; its inject netdev is the tests' sink and source. */
final class Fixture extends TestRuntime {

    Fixture() {
        super(2);
        netdevType("l2tpv3", new L2tpv3Driver());
    }
}
