package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.backend.socket.SocketDriver;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code dhcp-probe}'s DHCPDISCOVERs as an independent recorder sees them: the probe on a
 * Patchbay hub with a socket netdev listening, a real QEMU 7.2 connecting to it with
 * {@code filter-dump} on its netdev, and tshark reading the file as DHCP; and a real DHCP server,
 * QEMU's user netdev, answering it.
 */
@QemuTest
@Timeout(60)
class DhcpProbeQemuTest {

    private static final String MAC = "52:54:00:aa:bb:cc";
    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    @TempDir
    Path dir;

    @Test
    void qemusFilterDumpRecordsDiscoversThatTsharkReadsAsPxeDhcp() throws Exception {
        Installed.require(Qemu.BINARY);
        Installed.require(TSHARK.toString());
        int port = Ports.freeTcpPort();
        Path pcap = dir.resolve("recorder.pcap");
        try (TestRuntime rt = new TestRuntime(1).netdevType("socket", new SocketDriver())
                .nicModel("dhcp-probe", new DhcpProbeModel(new MacTable()))) {
            rt.netdev("socket,id=s0,listen=127.0.0.1:" + port);
            rt.hub("s0");
            rt.netdev("hubport,id=hp,hubid=1");
            rt.add(Section.DEVICE, "dhcp-probe,id=p0,netdev=hp,interval=1,mac=" + MAC);
            try (Program recorder = Qemu.recorder(dir, "socket,connect=127.0.0.1:" + port, pcap)) {
                Await.until(() -> Pcap.frames(pcap).stream().filter(f -> Frames.isDhcpDiscover(f) && Frames.from(f, MAC))
                        .count() >= 2, Duration.ofSeconds(20), "two DHCPDISCOVERs from the probe in QEMU's pcap",
                        recorder::describe);
            }
            assertTrue(rt.counter("p0", "discovers-sent") >= 2);
        }

        List<String> lines = tshark(pcap, "dhcp", "eth.src", "eth.dst", "ip.src", "ip.dst", "dhcp.option.dhcp",
                "dhcp.hw.mac_addr", "dhcp.flags.bc", "dhcp.option.vendor_class_id", "dhcp.id",
                "udp.checksum.status", "ip.checksum.status");
        assertTrue(lines.size() >= 2, "tshark reads the DHCPDISCOVERs: " + lines);
        String xid = lines.get(0).split("\t")[8];
        for (String line : lines) {
            assertEquals(String.join("\t", MAC, "ff:ff:ff:ff:ff:ff", "0.0.0.0", "255.255.255.255", "1", MAC, "1",
                    DhcpProbe.VENDOR_CLASS, xid, "1", "1"), line,
                    "DHCPDISCOVER (1) from its MAC with chaddr its MAC, broadcast flag, PXE vendor class, checksums good (1; 0 is bad, 2 unverified)");
        }
        assertEquals(List.of(), tshark(pcap, "_ws.malformed || _ws.expert.severity >= warning", "frame.number"),
                "nothing tshark finds malformed or worth a warning");
    }

    @Test
    void countsTheOffersOfQemusUserNetdevDhcpServer() throws Exception {
        Installed.require(Qemu.BINARY);
        int port = Ports.freeTcpPort();
        try (TestRuntime rt = new TestRuntime(1).netdevType("socket", new SocketDriver())
                .nicModel("dhcp-probe", new DhcpProbeModel(new MacTable()))) {
            rt.netdev("socket,id=s0,listen=127.0.0.1:" + port);
            rt.add(Section.DEVICE, "dhcp-probe,id=p0,netdev=s0,interval=1,mac=" + MAC);
            // QEMU as a pure relay between its socket netdev and slirp, whose DHCP server answers.
            try (Program qemu = Qemu.start(dir, "slirp", List.of("-M", "none", "-nodefaults", "-display", "none",
                    "-netdev", "socket,id=s,connect=127.0.0.1:" + port, "-netdev", "user,id=u",
                    "-netdev", "hubport,id=hs,hubid=0,netdev=s", "-netdev", "hubport,id=hu,hubid=0,netdev=u"))) {
                Await.until(() -> rt.counter("p0", "offers-seen") >= 1, Duration.ofSeconds(20),
                        "an offer from QEMU's DHCP server", qemu::describe);
            }
            assertTrue(rt.counter("p0", "discovers-sent") >= rt.counter("p0", "offers-seen"));
        }
    }

    /** @return one line per frame matching {@code filter}: the fields, tab separated */
    private List<String> tshark(Path pcap, String filter, String... fields) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(TSHARK.toString(), "-r", pcap.toString(),
                "-o", "udp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-Y", filter, "-T", "fields"));
        for (String field : fields) {
            command.add("-e");
            command.add(field);
        }
        try (Program run = Program.start(dir, "tshark", command)) {
            assertEquals(0, run.await(30), "tshark's exit status: " + run.stderr());
            return run.stdout().lines().toList();
        }
    }
}
