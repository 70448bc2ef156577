package net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import net.testlib.Host;
import net.testlib.Installed;
import net.testlib.KernelTest;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real qemu-bridge-helper with its ACL file: a bridge with a test-only name in the root
 * namespace (no addresses, nothing else enslaved), removed afterwards; the ACL file is restored.
 */
@Timeout(60)
@KernelTest
@QemuTest
class BridgeHelperTest {

    private static final Path ACL = Path.of("/etc/qemu/bridge.conf");

    private final Fixture fx = new Fixture();
    private final String bridge = Host.name("pbbr");
    private byte[] savedAcl;
    private boolean madeAclDir;

    @BeforeEach
    void setUp() throws Exception {
        Installed.require(BridgeHelper.DEFAULT_HELPER);
        Host.sh("ip", "link", "add", bridge, "type", "bridge");
        Host.sh("ip", "link", "set", bridge, "up");
        if (Files.exists(ACL)) {
            savedAcl = Files.readAllBytes(ACL);
        } else if (!Files.isDirectory(ACL.getParent())) {
            Files.createDirectories(ACL.getParent());
            madeAclDir = true;
        }
        Files.writeString(ACL, "allow " + bridge + "\n");
    }

    @AfterEach
    void cleanUp() throws Exception {
        fx.close();
        Host.quietly("ip", "link", "del", bridge);
        if (savedAcl != null) {
            Files.write(ACL, savedAcl);
        } else {
            Files.deleteIfExists(ACL);
            if (madeAclDir) {
                Files.deleteIfExists(ACL.getParent());
            }
        }
    }

    private String[] ports() {
        String[] ports = new File("/sys/class/net/" + bridge + "/brif").list();
        return ports == null ? new String[0] : ports;
    }

    @Test
    void theBridgeNetdevGetsATapEnslavedByTheHelper() throws Exception {
        fx.netdev("bridge,id=b0,br=" + bridge);
        assertEquals("helper=" + BridgeHelper.DEFAULT_HELPER + ",br=" + bridge, fx.info("b0"));
        String[] ports = ports();
        assertEquals(1, ports.length);
        String tap = ports[0];
        assertTrue(Host.details(tap).contains("tun type tap"), Host.details(tap));
        assertTrue(Host.details(tap).contains("master " + bridge));
        fx.runtime.netdevDel("b0");
        assertFalse(Host.exists(tap), "the helper's tap goes with its descriptor");
        assertEquals(0, ports().length);
    }

    @Test
    void tapWithHelperAndBrTakesAHelperCommandLineToo() throws Exception {
        fx.netdev("tap,id=t0,br=" + bridge + ",helper=" + BridgeHelper.DEFAULT_HELPER);
        assertEquals("helper=" + BridgeHelper.DEFAULT_HELPER, fx.info("t0"));
        assertEquals(1, ports().length);
        // A helper with blanks is a shell command line; it names the bridge itself.
        fx.netdev("tap,id=t1,helper=" + BridgeHelper.DEFAULT_HELPER + " --br=" + bridge);
        assertEquals(2, ports().length);
    }

    @Test
    void aBridgeTheAclDoesNotAllowIsRefused() throws Exception {
        String other = Host.name("pbno");
        assertEquals("bridge helper failed", fx.error("bridge,id=b0,br=" + other));
        assertEquals("bridge helper failed", fx.error("bridge,id=b0,br=" + bridge + ",helper=/nonexistent/helper"));
        assertEquals(0, ports().length);
    }
}
