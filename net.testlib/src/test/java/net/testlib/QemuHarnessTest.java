package net.testlib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness on its own, QEMU to QEMU without Patchbay: when this passes and
 * a driver's interop test fails, the failure is Patchbay's, not the recipe's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@QemuTest
class QemuHarnessTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void needQemu() {
        Installed.require(Qemu.BINARY);
    }

    @Test
    void pxeSourceReachesRecorderDirectly() throws Exception {
        int port = Ports.freeTcpPort();
        Path pcap = dir.resolve("direct.pcap");
        try (Program recorder = Qemu.recorder(dir, "socket,listen=127.0.0.1:" + port, pcap)) {
            Await.until(() -> Pcap.started(pcap), Duration.ofSeconds(10), "the recorder's pcap header",
                    recorder::describe);
            assertTrue(Ports.tcpListening(port), "the recorder listens on " + port);
            try (Program source = Qemu.pxeSource(dir, "socket,connect=127.0.0.1:" + port)) {
                Await.until(() -> Pcap.read(pcap).stream().anyMatch(r -> Frames.isSourceDhcpDiscover(r.data())),
                        Duration.ofSeconds(20), "a DHCPDISCOVER", () -> source.describe() + "\n" + recorder.describe());
                Pcap.Record dhcp = Pcap.read(pcap).stream().filter(r -> Frames.isSourceDhcpDiscover(r.data()))
                        .findFirst().orElseThrow();
                assertEquals(Frames.DHCP_DISCOVER_LENGTH, dhcp.originalLength());
                assertTrue(dhcp.complete());
            }
        }
    }
}
