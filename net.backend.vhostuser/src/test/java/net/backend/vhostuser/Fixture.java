package net.backend.vhostuser;

import net.api.NetException;
import net.chardev.socket.ChardevRegistry;
import net.control.QemuOptions;
import net.testkit.TestRuntime;

/** The test kit's runtime with real chardevs and the vhost-user driver; inject netdevs are the sources and sinks. */
final class Fixture extends TestRuntime {

    final ChardevRegistry chardevs = new ChardevRegistry(System.getLogger("test"));

    Fixture() {
        super(2);
        netdevType(VhostUserDriver.TYPE, new VhostUserDriver(chardevs));
    }

    /** @param options {@code -chardev} syntax, e.g. {@code socket,id=c0,path=P,reconnect=1} */
    String chardev(String options) throws NetException {
        return chardevs.add(QemuOptions.parse(options, "backend"));
    }

    @Override
    public void close() {
        super.close();
        chardevs.deactivate();
    }
}
