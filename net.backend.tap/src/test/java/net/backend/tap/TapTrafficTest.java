package net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.testlib.Host;
import net.testlib.KernelTest;
import net.testlib.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two taps on one Patchbay hub, each moved into a namespace of its own with an address: the two
 * namespaces talk to each other only through Patchbay.
 */
@Timeout(60)
@KernelTest
class TapTrafficTest {

    private final Fixture fx = new Fixture();
    private final Netns a;
    private final Netns b;
    private Process server;
    @TempDir
    Path dir;

    TapTrafficTest() throws Exception {
        a = new Netns();
        b = new Netns();
    }

    @AfterEach
    void cleanUp() {
        if (server != null) {
            server.destroyForcibly();
        }
        fx.close(); // the taps go with their descriptors, before their namespaces
        a.close();
        b.close();
    }

    private void wire() throws Exception {
        String tapA = Host.name("pbta");
        String tapB = Host.name("pbtb");
        fx.netdev("tap,id=ta,ifname=" + tapA + ",script=no,downscript=no");
        fx.netdev("tap,id=tb,ifname=" + tapB + ",script=no,downscript=no");
        fx.netdev("hubport,id=ha,hubid=1,netdev=ta");
        fx.netdev("hubport,id=hb,hubid=1,netdev=tb");
        a.adopt(tapA, "10.77.0.1/24");
        b.adopt(tapB, "10.77.0.2/24");
    }

    @Test
    void pingCrossesTheHubWithoutLoss() throws Exception {
        wire();
        String out = Host.sh(a.exec("ping", "-c", "20", "-i", "0.05", "-W", "2", "10.77.0.2"));
        assertTrue(out.contains("20 received, 0% packet loss"), out);
    }

    @Test
    void aTcpTransferArrivesIntactAndIperfMeasuresTheRelay() throws Exception {
        wire();
        byte[] data = new byte[4 << 20];
        new Random(7).nextBytes(data);
        Path sent = Files.write(dir.resolve("sent"), data);
        Path received = dir.resolve("received");
        server = new ProcessBuilder(b.exec("socat", "-u", "TCP-LISTEN:7000,reuseaddr", "CREATE:" + received))
                .redirectErrorStream(true).start();
        Host.Result copy = null;
        for (int i = 0; i < 50; i++) { // until the listener is up
            copy = Host.run(20, a.exec("socat", "-u", "FILE:" + sent, "TCP:10.77.0.2:7000"));
            if (copy.status() == 0) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(0, copy.status(), copy.output());
        assertTrue(server.waitFor(10, TimeUnit.SECONDS));
        assertEquals(sha256(data), sha256(Files.readAllBytes(received)));

        server = new ProcessBuilder(b.exec("iperf3", "-s", "-1", "-p", "5201")).redirectErrorStream(true).start();
        Host.Result iperf = null;
        for (int i = 0; i < 50; i++) {
            iperf = Host.run(20, a.exec("iperf3", "-c", "10.77.0.2", "-p", "5201", "-t", "2", "-J"));
            // iperf3 3.12 exits 0 with -J even when the server is not listening yet: its JSON says so.
            if (iperf.status() == 0 && !iperf.output().contains("\"error\":")) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(0, iperf.status(), iperf.output());
        Matcher m = Pattern.compile("\"sum_received\":\\s*\\{[^}]*?\"bits_per_second\":\\s*([0-9.eE+]+)",
                Pattern.DOTALL).matcher(iperf.output());
        assertTrue(m.find(), iperf.output());
        double mbits = Double.parseDouble(m.group(1)) / 1e6;
        System.out.printf("iperf3 through two taps and a Patchbay hub: %.0f Mbit/s%n", mbits);
        assertTrue(mbits > 1, "throughput " + mbits);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
