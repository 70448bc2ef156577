package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import net.testlib.Installed;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vhost-user-backend netdev's option errors, in the words QEMU 7.2's vhost-user netdev uses. */
class BackendOptionErrorsTest {

    private final Fixture fx = new Fixture();
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void theChardevIsRequiredAndMustExist() {
        assertEquals("Parameter 'chardev' is missing", fx.error("vhost-user-backend,id=v"));
        assertEquals("chardev \"nope\" not found", fx.error("vhost-user-backend,id=v,chardev=nope"));
    }

    @Test
    void queuesAreAnInt64From1To1024CheckedAfterTheChardev() throws Exception {
        fx.chardev("socket,id=c1,path=" + dir.resolve("s") + ",server=on,wait=off");
        assertEquals("Parameter 'queues' expects an int64 value",
                fx.error("vhost-user-backend,id=v,chardev=c1,queues=x"));
        assertEquals("chardev \"nope\" not found", fx.error("vhost-user-backend,id=v,chardev=nope,queues=0"));
        String range = "vhost-user-backend number of queues must be in range [1, 1024]";
        assertEquals(range, fx.error("vhost-user-backend,id=v,chardev=c1,queues=0"));
        assertEquals(range, fx.error("vhost-user-backend,id=v,chardev=c1,queues=1025"));
        // the chardev was let go each time: a netdev takes it now
        fx.netdev("vhost-user-backend,id=v,chardev=c1,queues=1024");
        assertEquals("vhost-user-backend0 to c1", fx.info("v"));
    }

    @Test
    void aChardevTakesOneNetdev() throws Exception {
        fx.chardev("socket,id=c1,path=" + dir.resolve("s") + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v,chardev=c1");
        assertEquals("Device 'c1' is in use", fx.error("vhost-user-backend,id=w,chardev=c1"));
    }

    /** A TCP chardev passes no descriptors: refused as QEMU refuses it (QEMU: any, here a connected one). */
    @Test
    void aTcpChardevIsRefused() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fx.chardev("socket,id=t0,host=127.0.0.1,port=" + listener.getLocalPort());
            assertEquals("chardev \"t0\" does not support FD passing",
                    fx.error("vhost-user-backend,id=v,chardev=t0"));
        }
    }

    /** The same texts from QEMU's own vhost-user netdev, where it can say them without a chardev. */
    @Test
    @QemuTest
    void qemusVhostUserSaysTheSame() throws Exception {
        Installed.require(Qemu.BINARY);
        assertEquals("Parameter 'chardev' is missing", Qemu.netdevError("vhost-user,id=v"));
        assertEquals("chardev \"nope\" not found", Qemu.netdevError("vhost-user,id=v,chardev=nope"));
        assertEquals("Parameter 'queues' expects an int64 value",
                Qemu.netdevError("vhost-user,id=v,chardev=nope,queues=x"));
    }
}
