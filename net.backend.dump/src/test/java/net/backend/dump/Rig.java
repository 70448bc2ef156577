package net.backend.dump;

import net.api.NetException;
import net.backend.socket.SocketDriver;
import net.testkit.TestRuntime;

/** The test kit's runtime with this bundle's drivers and the socket driver. */
final class Rig extends TestRuntime {

    Rig() {
        this(CaptureRing.DEFAULT_CAPACITY);
    }

    Rig(int ringSize) {
        super(2);
        netdevType("socket", new SocketDriver());
        netdevType(DumpDriver.TYPE, new DumpDriver(ringSize));
        filterType(DumpFilterDriver.TYPE, new DumpFilterDriver(ringSize));
    }

    /** Two inject netdevs {@code a} and {@code b} on hub 1. */
    Rig pair() throws NetException {
        netdev("inject,id=a");
        netdev("inject,id=b");
        netdev("hubport,id=ha,hubid=1,netdev=a");
        netdev("hubport,id=hb,hubid=1,netdev=b");
        return this;
    }
}
