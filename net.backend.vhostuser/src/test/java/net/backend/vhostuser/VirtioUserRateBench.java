package net.backend.vhostuser;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Installed;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Testpmd;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire runs it only when named): the rate of the vhost-user back end, for
 * docs/performance.md. DPDK's virtio-user front end (testpmd {@code txonly}) transmits as fast as
 * it can into {@code vhost-user-backend}, a hub carries the frames into a socket netdev, and the
 * team's framegen ({@code /tmp/framegen-build/framegen}, see ../shared/bench) reads and counts
 * them; WINDOW seconds per frame size. Run:
 * {@code mvn -o -q verify -pl net.backend.vhostuser -am -Dtest=VirtioUserRateBench
 * -Dsurefire.failIfNoSpecifiedTests=false}; it prints one {@code RATE} line per size on stderr.
 */
class VirtioUserRateBench {

    private static final String FRAMEGEN = "/tmp/framegen-build/framegen";
    private static final long WINDOW_MS = Long.getLong("window", 10) * 1000;

    @AutoClose
    final Cleanup cleanup = new Cleanup();

    @Test
    void rate() throws Exception {
        Installed.require(FRAMEGEN);
        for (String size : System.getProperty("sizes", "64,1514").split(",")) {
            Path dir = Files.createTempDirectory("vhost-bench");
            try (Fixture fx = new Fixture()) {
                Path socket = dir.resolve("vb.sock");
                int port = Ports.freeTcpPort();
                fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
                fx.netdev("vhost-user-backend,id=v1,chardev=c1");
                fx.netdev("socket,id=s,listen=127.0.0.1:" + port);
                fx.hub("v1", "s");
                Program rx = cleanup.add(Program.start(dir, "framegen", List.of(FRAMEGEN, "rx", "-c",
                        "127.0.0.1:" + port, "-i", "2000", "-t", "120", "-q")));
                Await.until(() -> !fx.info("s").contains("listen"), "framegen connected");
                try (Testpmd pmd = Testpmd.virtioUser(dir, "testpmd", socket, "txonly", "--txpkts=" + size)) {
                    Thread.sleep(WINDOW_MS); // the measurement window
                }
                rx.await(30);
                System.err.println("RATE size=" + size + " " + rx.stdout().strip() + " v1=" + fx.client("v1").counters()
                        + " s=" + fx.client("s").counters());
            }
        }
    }
}
