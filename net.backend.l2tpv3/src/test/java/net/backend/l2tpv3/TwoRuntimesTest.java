package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.NetClientDriver;
import net.backend.socket.SocketDriver;
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
        fx.runtime.bindNetClientDriver(new SocketDriver(), Map.of(NetClientDriver.TYPE, "socket"));
        open.add(fx);
        return fx;
    }

    @Test
    void dhcpFromVmAOnRuntimeAReachesVmBOnRuntimeB() throws Exception {
        assumeTrue(QemuVm.available(), "qemu-system-x86_64 is not installed");
        int vmA = freeTcpPort();
        int vmB = freeTcpPort();
        int tunnelA = L2tpv3QemuInteropTest.freePort(L2tpv3QemuInteropTest.Mode.UDP4);
        int tunnelB = L2tpv3QemuInteropTest.freePort(L2tpv3QemuInteropTest.Mode.UDP4);
        Path pcap = dir.resolve("vm-b.pcap");
        QemuVm recorder = QemuVm.recorder(dir, "vm-b", "socket,listen=127.0.0.1:" + vmB, pcap);
        open.add(recorder);
        Fixture.await(() -> QemuVm.recording(pcap), Duration.ofSeconds(10), "VM B: " + recorder.describe());

        Fixture b = runtime();
        b.netdev("l2tpv3,id=t,src=127.0.0.1,dst=127.0.0.1,udp=on,srcport=" + tunnelB + ",dstport=" + tunnelA
                + ",txsession=0xb,rxsession=0xa,txcookie=0xbbbb,rxcookie=0xaaaa,counter=on");
        b.netdev("socket,id=vm,connect=127.0.0.1:" + vmB);
        b.hub(1, "t", "vm");

        Fixture a = runtime();
        a.netdev("l2tpv3,id=t,src=127.0.0.1,dst=127.0.0.1,udp=on,srcport=" + tunnelA + ",dstport=" + tunnelB
                + ",txsession=0xa,rxsession=0xb,txcookie=0xaaaa,rxcookie=0xbbbb,counter=on");
        a.netdev("socket,id=vm,listen=127.0.0.1:" + vmA);
        a.netdev(SinkDriver.TYPE + ",id=s0");
        a.hub(1, "t", "vm", "s0");
        QemuVm vm = QemuVm.pxeSource(dir, "vm-a", "socket,connect=127.0.0.1:" + vmA);
        open.add(vm);

        SinkDriver.Sink sink = a.sink.get("s0");
        Fixture.await(() -> sink.received().stream().anyMatch(QemuVm::isDhcpDiscover), Duration.ofSeconds(20),
                "VM A's DHCPDISCOVER on A's hub: " + vm.describe());
        byte[] discover = sink.received().stream().filter(QemuVm::isDhcpDiscover).findFirst().orElseThrow();
        Fixture.await(() -> {
            try {
                return QemuVm.frames(pcap).stream().anyMatch(f -> Arrays.equals(f, discover));
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(10), "the DHCPDISCOVER in VM B's pcap; A's tunnel " + a.client("t").counters()
                + ", B's tunnel " + b.client("t").counters());
    }

    private static int freeTcpPort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
