package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.testlib.Await;
import net.testlib.Ports;
import net.testlib.Program;
import org.junit.jupiter.api.Test;

/**
 * Not a test (surefire runs it only when named): what a TCG guest moves through
 * {@code vhost-user-backend} against the same guest on QEMU's socket netdev, for
 * docs/performance.md. The guest (iPXE, {@link Guest}) downloads {@code size} MB over HTTP from a
 * {@link BlobServer} on the host's loopback, through a {@code user} netdev whose DHCP names the
 * URL as the boot file; the rate is the body over the time from the request to the guest's close.
 * Paths, alternating, {@code reps} runs each:
 * <ul>
 * <li>{@code vhost-user-backend}: guest -> vhost-user -> Patchbay's back end -> hub -> Patchbay's {@code user}
 * <li>{@code socket}: guest -> QEMU's {@code -netdev socket,connect} -> Patchbay's socket netdev -> hub ->
 * Patchbay's {@code user} (the baseline)
 * <li>{@code qemu-user}: guest -> QEMU's own {@code -netdev user} (no Patchbay: the ceiling)
 * </ul>
 * Run: {@code mvn -o -q verify -pl net.backend.vhostuser -am -Dtest=GuestDownloadRateBench
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dsize=16 -Dreps=5]}; it prints one {@code RUN} line
 * per run and a {@code MEDIAN} line per path on stderr, with the load average before and after.
 */
class GuestDownloadRateBench {

    private static final int SIZE = Integer.getInteger("size", 16) << 20;
    private static final int REPS = Integer.getInteger("reps", 5);

    @Test
    void rate() throws Exception {
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (String path : List.of("vhost-user-backend", "socket", "qemu-user")) {
            rates.put(path, new ArrayList<>());
        }
        String before = loadAverage();
        for (int rep = 0; rep < REPS; rep++) {
            for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
                double mbits = run(e.getKey());
                e.getValue().add(mbits);
                System.err.printf("RUN %s rep=%d %.1f Mbit/s load=%s%n", e.getKey(), rep, mbits, loadAverage());
            }
        }
        double base = median(rates.get("socket"));
        for (Map.Entry<String, List<Double>> e : rates.entrySet()) {
            double m = median(e.getValue());
            System.err.printf("MEDIAN %s %.1f Mbit/s (%.2f of socket) runs=%s%n", e.getKey(), m, m / base,
                    e.getValue());
        }
        System.err.println("LOAD before " + before + ", after " + loadAverage() + ", size " + (SIZE >> 20) + " MB");
    }

    /** @return Mbit/s of one download of the blob by a freshly booted guest on this path */
    private static double run(String path) throws Exception {
        Path dir = Files.createTempDirectory("guest-bench");
        try (Fixture fx = new Fixture(); BlobServer server = new BlobServer(SIZE)) {
            String user = "user,id=u,bootfile=" + server.url();
            Program guest;
            switch (path) {
                case "vhost-user-backend" -> {
                    Path socket = dir.resolve("vhost.sock");
                    fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
                    fx.netdev("vhost-user-backend,id=v1,chardev=c1");
                    fx.netdev(user);
                    fx.hub(1, "v1", "u");
                    Await.until(() -> Ports.unixListening(socket), "the vhost-user socket listening");
                    guest = Guest.start(dir, "guest", socket, dir.resolve("qmp.sock"));
                }
                case "socket" -> {
                    int port = Ports.freeTcpPort();
                    fx.netdev("socket,id=s,listen=127.0.0.1:" + port);
                    fx.netdev(user);
                    fx.hub(1, "s", "u");
                    Await.until(() -> Ports.tcpListening(port), "the socket netdev listening");
                    guest = Guest.on(dir, "guest", "socket,id=n0,connect=127.0.0.1:" + port, dir.resolve("qmp.sock"));
                }
                default -> guest = Guest.on(dir, "guest", user.replace("id=u", "id=n0"), dir.resolve("qmp.sock"));
            }
            try {
                Await.until(server::requested, Duration.ofSeconds(90), "the guest's HTTP request", guest::describe);
                assertTrue(server.await(120), () -> path + ": the download ends: " + server.describe());
                assertTrue(server.complete(), () -> path + ": " + server.describe());
                return server.mbits();
            } finally {
                guest.close();
            }
        }
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String loadAverage() throws IOException {
        return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
    }
}
