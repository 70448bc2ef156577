package net.backend.l2tpv3;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.backend.socket.SocketDriver;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-host story on one machine: two Patchbay runtimes joined by an l2tpv3 tunnel (UDP over
 * 127.0.0.1, cookies and counter on), each with a hub whose other port is a socket netdev to a QEMU
 * VM. VM A's DHCPDISCOVER crosses A's hub, the tunnel and B's hub into VM B's filter-dump, byte for
 * byte.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
@QemuTest
class TwoRuntimesTest {

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private Fixture runtime() {
        Fixture fx = new Fixture();
        fx.netdevType("socket", new SocketDriver());
        open.add(fx);
        return fx;
    }

    @Test
    void dhcpFromVmAOnRuntimeAReachesVmBOnRuntimeB() throws Exception {
        Installed.require(Qemu.BINARY);
        int vmA = Ports.freeTcpPort();
        int vmB = Ports.freeTcpPort();
        int tunnelA = L2tpv3QemuInteropTest.freePort(L2tpv3QemuInteropTest.Mode.UDP4);
        int tunnelB = L2tpv3QemuInteropTest.freePort(L2tpv3QemuInteropTest.Mode.UDP4);
        Path pcap = dir.resolve("vm-b.pcap");
        Program recorder = Qemu.recorder(dir, "vm-b", "socket,listen=127.0.0.1:" + vmB, pcap);
        open.add(recorder);
        Await.until(() -> Pcap.started(pcap), Duration.ofSeconds(10), "VM B", recorder::describe);

        Fixture b = runtime();
        b.netdev("l2tpv3,id=t,src=127.0.0.1,dst=127.0.0.1,udp=on,srcport=" + tunnelB + ",dstport=" + tunnelA
                + ",txsession=0xb,rxsession=0xa,txcookie=0xbbbb,rxcookie=0xaaaa,counter=on");
        b.netdev("socket,id=vm,connect=127.0.0.1:" + vmB);
        b.hub(1, "t", "vm");

        Fixture a = runtime();
        a.netdev("l2tpv3,id=t,src=127.0.0.1,dst=127.0.0.1,udp=on,srcport=" + tunnelA + ",dstport=" + tunnelB
                + ",txsession=0xa,rxsession=0xb,txcookie=0xaaaa,rxcookie=0xbbbb,counter=on");
        a.netdev("socket,id=vm,listen=127.0.0.1:" + vmA);
        a.netdev(InjectDriver.TYPE + ",id=s0");
        a.hub(1, "t", "vm", "s0");
        Program vm = Qemu.pxeSource(dir, "vm-a", "socket,connect=127.0.0.1:" + vmA);
        open.add(vm);

        InjectDriver.Inject sink = a.inject.get("s0");
        Await.until(() -> sink.received().stream().anyMatch(Frames::isSourceDhcpDiscover), Duration.ofSeconds(20),
                "VM A's DHCPDISCOVER on A's hub", vm::describe);
        byte[] discover = sink.received().stream().filter(Frames::isSourceDhcpDiscover).findFirst().orElseThrow();
        Await.until(() -> Pcap.frames(pcap).stream().anyMatch(f -> Arrays.equals(f, discover)), Duration.ofSeconds(10), "the DHCPDISCOVER in VM B's pcap; A's tunnel " + a.client("t").counters()
                + ", B's tunnel " + b.client("t").counters());
    }
}
