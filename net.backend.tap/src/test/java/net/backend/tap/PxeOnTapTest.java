package net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import net.testlib.Await;
import net.testlib.Host;
import net.testlib.KernelTest;
import net.testlib.Netns;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk-less QEMU PC boots from the network (iPXE) on a socket netdev; a Patchbay hub joins it
 * to a tap in a namespace, where tcpdump sees its DHCPDISCOVER.
 */
@Timeout(60)
@KernelTest
@QemuTest
class PxeOnTapTest {

    private final Fixture fx = new Fixture();
    private final Netns ns;
    private Program tcpdump;
    private Program qemu;
    @TempDir
    Path dir;

    PxeOnTapTest() throws Exception {
        ns = new Netns();
    }

    @AfterEach
    void cleanUp() {
        for (Program p : new Program[] {qemu, tcpdump}) {
            if (p != null) {
                p.close();
            }
        }
        fx.close();
        ns.close();
    }

    @Test
    void theVmsDhcpDiscoverAppearsOnTheTap() throws Exception {
        int port = Ports.freeTcpPort();
        String tap = Host.name("pbtp");
        fx.netdev("socket,id=vm,listen=127.0.0.1:" + port);
        fx.netdev("tap,id=t0,ifname=" + tap + ",script=no,downscript=no");
        fx.netdev("hubport,id=h0,hubid=1,netdev=vm");
        fx.netdev("hubport,id=h1,hubid=1,netdev=t0");
        ns.adopt(tap, "10.78.0.1/24");

        Path pcap = dir.resolve("dhcp.pcap");
        tcpdump = Program.start(dir, "tcpdump", List.of(ns.exec("tcpdump", "-i", tap, "-c", "1", "-U", "-w",
                pcap.toString(), "udp", "port", "67")));
        Await.until(() -> tcpdump.stderr().contains("listening on"), "tcpdump listening");

        qemu = Qemu.pxeSource(dir, "socket,connect=127.0.0.1:" + port);
        assertEquals(0, tcpdump.await(30), "tcpdump capturing a DHCP frame: " + tcpdump.describe());

        String decoded = Host.sh("tcpdump", "-r", pcap.toString(), "-nn", "-v", "-e");
        assertTrue(decoded.contains(Qemu.SOURCE_MAC + " > ff:ff:ff:ff:ff:ff"), decoded);
        assertTrue(decoded.contains("DHCP-Message (53), length 1: Discover"), decoded);
    }
}
