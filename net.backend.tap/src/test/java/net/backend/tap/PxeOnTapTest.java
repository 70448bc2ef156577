package net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk-less QEMU PC boots from the network (iPXE) on a socket netdev; a Patchbay hub joins it
 * to a tap in a namespace, where tcpdump sees its DHCPDISCOVER.
 */
@Timeout(60)
class PxeOnTapTest {

    private static final String VM_MAC = "52:54:00:12:34:56";

    private final Fixture fx = new Fixture();
    private final Netns ns;
    private Process tcpdump;
    private Process qemu;
    @TempDir
    Path dir;

    PxeOnTapTest() throws Exception {
        ns = new Netns();
    }

    @AfterEach
    void cleanUp() {
        for (Process p : new Process[] {qemu, tcpdump}) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
        fx.close();
        ns.close();
    }

    @Test
    void theVmsDhcpDiscoverAppearsOnTheTap() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String tap = Host.name("pbtp");
        fx.netdev("socket,id=vm,listen=127.0.0.1:" + port);
        fx.netdev("tap,id=t0,ifname=" + tap + ",script=no,downscript=no");
        fx.netdev("hubport,id=h0,hubid=1,netdev=vm");
        fx.netdev("hubport,id=h1,hubid=1,netdev=t0");
        ns.adopt(tap, "10.78.0.1/24");

        Path pcap = dir.resolve("dhcp.pcap");
        Path log = dir.resolve("tcpdump.log");
        tcpdump = new ProcessBuilder(ns.exec("tcpdump", "-i", tap, "-c", "1", "-U", "-w", pcap.toString(),
                "udp", "port", "67")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Fixture.await(() -> {
            try {
                return Files.readString(log).contains("listening on");
            } catch (java.io.IOException e) {
                return false;
            }
        }, "tcpdump listening");

        qemu = new ProcessBuilder("qemu-system-x86_64", "-M", "pc", "-accel", "tcg", "-nodefaults", "-display", "none",
                "-m", "64", "-boot", "n", "-netdev", "socket,id=n0,connect=127.0.0.1:" + port,
                "-device", "e1000,netdev=n0,mac=" + VM_MAC).redirectErrorStream(true)
                .redirectOutput(dir.resolve("qemu.log").toFile()).start();
        assertTrue(tcpdump.waitFor(30, TimeUnit.SECONDS), "no DHCP frame on the tap within 30 s");

        String decoded = Host.sh("tcpdump", "-r", pcap.toString(), "-nn", "-v", "-e");
        assertTrue(decoded.contains(VM_MAC + " > ff:ff:ff:ff:ff:ff"), decoded);
        assertTrue(decoded.contains("DHCP-Message (53), length 1: Discover"), decoded);
    }
}
