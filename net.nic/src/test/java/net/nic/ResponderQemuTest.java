package net.nic;

import static net.nic.ResponderFrames.arp;
import static net.nic.ResponderFrames.echo6;
import static net.nic.ResponderFrames.icmp6;
import static net.nic.ResponderFrames.icmpEcho;
import static net.nic.ResponderFrames.solicitation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import net.backend.socket.SocketDriver;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made requests through a real QEMU: a machine-less QEMU hubs two socket netdevs, one the
 * test's connection, the other Patchbay's, where two responders answer. QEMU's {@code filter-dump}
 * on Patchbay's side records both directions, and tshark, checking every checksum, reads the
 * replies as ARP, ICMP and ICMPv6.
 */
@QemuTest
@Timeout(60)
class ResponderQemuTest {

    private static final String TSHARK = "/usr/bin/tshark";

    @TempDir
    Path dir;

    @AutoClose
    private final Cleanup cleanup = new Cleanup();

    @Test
    void answersRequestsThatCameThroughQemu() throws Exception {
        Installed.require(Qemu.BINARY);
        int ours = Ports.freeTcpPort();
        int theirs = Ports.freeTcpPort();
        Path pcap = dir.resolve("qemu.pcap");
        Program qemu = cleanup.add(Qemu.start(dir, "relay", List.of("-M", "none", "-nodefaults", "-display", "none",
                "-netdev", "socket,id=t,listen=127.0.0.1:" + theirs,
                "-netdev", "socket,id=p,listen=127.0.0.1:" + ours,
                "-netdev", "hubport,id=ht,hubid=0,netdev=t", "-netdev", "hubport,id=hp,hubid=0,netdev=p",
                "-object", "filter-dump,id=f,netdev=p,file=" + pcap)));
        Await.until(() -> Ports.tcpListening(ours) && Ports.tcpListening(theirs) || !qemu.isAlive(), "QEMU listening");
        assertTrue(qemu.isAlive(), qemu.describe());

        TestRuntime rt = cleanup.add(new TestRuntime(1).netdevType("socket", new SocketDriver())
                .nicModel("responder", new ResponderModel(new MacTable())));
        rt.netdev("socket,id=s0,connect=127.0.0.1:" + ours);
        rt.hub("s0");
        rt.netdev("hubport,id=port-r4,hubid=1");
        rt.add(Section.DEVICE, "responder,id=r4,netdev=port-r4,ip=10.0.0.5");
        rt.netdev("hubport,id=port-r6,hubid=1");
        rt.add(Section.DEVICE, "responder,id=r6,netdev=port-r6,ip=fd00:77::5");
        rt.awaitInfo("s0", "socket: connect to 127.0.0.1:" + ours);

        Socket test = cleanup.add(new Socket());
        test.connect(new InetSocketAddress("127.0.0.1", theirs), 5000);
        test.setSoTimeout(10_000);
        DataOutputStream out = new DataOutputStream(test.getOutputStream());
        String peer6 = "fd000077000000000000000000000001";
        String ip6 = "fd000077000000000000000000000005";
        List<byte[]> requests = List.of(arp(1, "0a000001", "0a000005"),
                icmpEcho("525400123456", 0x0a000001, 0x0a000005, "0123456789abcdefghijklmnopqrstuvwxyz!".getBytes()),
                icmp6("3333ff000005", peer6, "ff0200000000000000000001ff000005", 255, solicitation(ip6, true)),
                icmp6("525400123457", peer6, ip6, 64, echo6(new byte[56])));
        for (byte[] request : requests) { // QEMU's socket netdev: a 4-byte length in network order, the frame
            out.writeInt(request.length);
            out.write(request);
        }
        out.flush();
        DataInputStream in = new DataInputStream(test.getInputStream());
        for (int i = 0; i < requests.size(); i++) {
            in.readFully(new byte[in.readInt()]); // one reply each, in order: one loop, no other traffic
        }
        Await.until(() -> Pcap.read(pcap).size() == 2 * requests.size(), "QEMU's recording");
        qemu.close(); // QEMU writes unbuffered; stopping it makes sure nothing is half written

        // protocol, info (a reply names the request it matched; the order of the recording varies),
        // and the IPv4 header's, ICMP's and ICMPv6's checksum status (1: good)
        assertEquals(List.of(
                "ARP\t10.0.0.5 is at 52:54:00:12:34:56\t\t\t",
                "ICMP\tEcho (ping) reply    id=0x1234, seq=7/1792, ttl=64 (request in N)\t1\t1\t",
                "ICMPv6\tNeighbor Advertisement fd00:77::5 (sol, ovr) is at 52:54:00:12:34:57\t\t\t1",
                "ICMPv6\tEcho (ping) reply id=0xabcd, seq=3, hop limit=64 (request in N)\t\t\t1"),
                tshark(pcap, "eth.src[0:5] == 52:54:00:12:34"));
    }

    /** @return per frame matching {@code filter}, as tshark reads it: protocol, info, checksum verdicts */
    private List<String> tshark(Path pcap, String filter) throws Exception {
        try (Program run = Program.start(dir, "tshark", List.of(TSHARK, "-r", pcap.toString(),
                "-o", "ip.check_checksum:TRUE", "-Y", filter, "-T", "fields", "-e", "_ws.col.Protocol",
                "-e", "_ws.col.Info", "-e", "ip.checksum.status", "-e", "icmp.checksum.status",
                "-e", "icmpv6.checksum.status"))) {
            assertEquals(0, run.await(30), run.describe());
            return run.stdout().lines().map(l -> l.replaceAll("request in \\d+", "request in N")).toList();
        }
    }
}
