package net.backend.socket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness on its own, QEMU to QEMU without Patchbay: when this passes and
 * {@link SocketInteropTest} fails, the failure is Patchbay's, not the recipe's.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QemuHarnessTest {

    @TempDir
    Path dir;

    @BeforeAll
    static void needQemu() {
        assumeTrue(QemuProcess.available(), QemuProcess.BINARY + " is not installed; skipping the QEMU interop tests");
    }

    @Test
    void pxeSourceReachesRecorderDirectly() throws Exception {
        int port = QemuProcess.freeTcpPort();
        Path pcap = dir.resolve("direct.pcap");
        try (QemuProcess recorder = QemuProcess.recorder(dir, "socket,listen=127.0.0.1:" + port, pcap)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Pcap.started(pcap)) {
                if (System.nanoTime() > deadline) {
                    fail("the recorder never wrote its pcap header: " + recorder.describe());
                }
                Thread.sleep(50);
            }
            assertTrue(QemuProcess.tcpListening(port), "the recorder listens on " + port);
            try (QemuProcess source = QemuProcess.pxeSource(dir, "socket,connect=127.0.0.1:" + port)) {
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                List<Pcap.Record> records;
                while ((records = Pcap.read(pcap)).stream().noneMatch(r -> Frames.isSourceDhcpDiscover(r.data()))) {
                    if (System.nanoTime() > deadline) {
                        fail("no DHCPDISCOVER within 20 s: " + source.describe() + "\n" + recorder.describe());
                    }
                    Thread.sleep(50);
                }
                Pcap.Record dhcp = records.stream().filter(r -> Frames.isSourceDhcpDiscover(r.data())).findFirst().orElseThrow();
                assertEquals(Frames.DHCP_DISCOVER_LENGTH, dhcp.originalLength());
                assertTrue(dhcp.complete());
            }
        }
    }
}
