package net.backend.vhostuser;

import net.api.NetException;
import net.backend.socket.SocketDriver;
import net.backend.user.UserDriver;
import net.chardev.socket.ChardevRegistry;
import net.control.QemuOptions;
import net.testkit.TestRuntime;

/**
 * The test kit's runtime with real chardevs, both vhost-user roles ({@code vhost-user},
 * {@code vhost-user-backend}) and the socket and user netdevs; inject netdevs are the sources and
 * sinks.
 */
final class Fixture extends TestRuntime {

    final ChardevRegistry chardevs = new ChardevRegistry(System.getLogger("test"));

    Fixture() {
        super(2);
        netdevType(VhostUserDriver.TYPE, new VhostUserDriver(chardevs));
        netdevType(VhostUserBackendDriver.TYPE, new VhostUserBackendDriver(chardevs));
        netdevType("socket", new SocketDriver());
        netdevType("user", new UserDriver());
    }

    /** @param options {@code -chardev} syntax, e.g. {@code socket,id=c0,path=P,server=on,wait=off} */
    String chardev(String options) throws NetException {
        return chardevs.add(QemuOptions.parse(options, "backend"));
    }

    @Override
    public void close() {
        super.close();
        chardevs.deactivate();
    }
}
