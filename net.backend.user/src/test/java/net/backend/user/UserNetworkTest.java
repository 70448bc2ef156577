package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import net.testlib.Host;
import net.testlib.KernelTest;
import net.testlib.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A namespace behind a tap on a hub with a {@code user} netdev, as a guest behind QEMU's user
 * network: it takes a lease from libslirp, reaches the host's loopback through 10.0.2.2, and a host
 * forward reaches a server inside it.
 */
@Timeout(90)
@KernelTest
class UserNetworkTest {

    private final Fixture fx = new Fixture();
    private final Netns ns;
    private Netns other;
    private Process server;
    @TempDir
    Path dir;

    UserNetworkTest() throws Exception {
        ns = new Netns();
    }

    @AfterEach
    void cleanUp() {
        if (server != null) {
            server.destroyForcibly();
        }
        fx.close();
        ns.close();
        if (other != null) {
            other.close();
        }
    }

    /** A tap and a user netdev with these options on hub {@code hub}; the namespace takes a lease. */
    private Map<String, String> guest(Netns guest, int hub, String userOptions) throws Exception {
        String tap = Host.name("pbut");
        fx.netdev("tap,id=t" + hub + ",ifname=" + tap + ",script=no,downscript=no");
        fx.netdev("user,id=u" + hub + userOptions);
        fx.hub(hub, "t" + hub, "u" + hub);
        return Lease.take(guest, tap, dir);
    }

    @Test
    void theGuestGetsQemusAddressesByDhcp() throws Exception {
        Map<String, String> lease = guest(ns, 1, ",hostname=guest1,domainname=example.test");
        assertEquals("10.0.2.15", lease.get("ip"), lease.toString());
        assertEquals("24", lease.get("mask"), lease.toString());
        assertEquals("10.0.2.2", lease.get("router"), lease.toString());
        assertEquals("10.0.2.3", lease.get("dns"), lease.toString());
        assertEquals("example.test", lease.get("domain"), lease.toString());
        String ping = Host.sh(ns.exec("ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.2.2"));
        assertTrue(ping.contains("3 received"), ping);
    }

    @Test
    void theHostsLoopbackIsReachedThroughTheHostAddress() throws Exception {
        guest(ns, 1, "");
        try (ServerSocket service = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = service.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("hello from the host\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the assertion below reports it
                }
            });
            Host.Result r = Host.run(20, ns.exec("socat", "-u", "TCP:10.0.2.2:" + service.getLocalPort(), "-"));
            assertEquals(0, r.status(), r.output());
            assertEquals("hello from the host", r.output().strip());
        }
        assertTrue(fx.counter("u1", "sockets-opened") >= 1);
    }

    @Test
    void aHostForwardReachesAServerInTheGuestByteForByte() throws Exception {
        int port = freePort();
        guest(ns, 1, ",hostfwd=tcp:127.0.0.1:" + port + "-:80");
        Path received = dir.resolve("received");
        server = new ProcessBuilder(ns.exec("socat", "-u", "TCP-LISTEN:80,reuseaddr", "CREATE:" + received))
                .redirectErrorStream(true).start();
        byte[] data = new byte[4 << 20];
        new Random(18).nextBytes(data);
        Await.until(() -> listening(ns), "the guest's server listens");
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.getOutputStream().write(data);
        }
        assertTrue(server.waitFor(30, TimeUnit.SECONDS), "the guest's server got the end of the stream");
        assertEquals(sha256(data), sha256(Files.readAllBytes(received)));
    }

    @Test
    void aGuestForwardCarriesTheGuestsConnectionToATcpEndpoint() throws Exception {
        assertEquals("Could not open guest forwarding device 'guestfwd.tcp.1234'",
                fx.error("user,id=refused,guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:1"));
        try (ServerSocket endpoint = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            guest(ns, 1, ",guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:" + endpoint.getLocalPort());
            // The netdev connected when it was made, as QEMU's chardev does.
            try (Socket s = endpoint.accept()) {
                s.setSoTimeout(20_000);
                server = new ProcessBuilder(ns.exec("sh", "-c", "echo hello from the guest | socat -t 3 - "
                        + "TCP:10.0.2.100:1234")).redirectErrorStream(true).start();
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        s.getInputStream(), StandardCharsets.US_ASCII));
                assertEquals("hello from the guest", in.readLine());
                s.getOutputStream().write("hello from the endpoint\n".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertTrue(server.waitFor(20, TimeUnit.SECONDS), "socat in the guest ended");
                assertEquals("hello from the endpoint",
                        new String(server.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
            }
        }
    }

    @Test
    void twoUserNetdevsOnTwoHubsAreApartAndDeletingOneClosesItsPortsAtOnce() throws Exception {
        other = new Netns();
        int port1 = freePort();
        int port2 = freePort();
        Map<String, String> first = guest(ns, 1, ",hostfwd=tcp:127.0.0.1:" + port1 + "-:80");
        Map<String, String> second = guest(other, 2, ",hostfwd=tcp:127.0.0.1:" + port2 + "-:80");
        // Each stack leases its first address to its own guest: one shared network could not.
        assertEquals("10.0.2.15", first.get("ip"));
        assertEquals("10.0.2.15", second.get("ip"));
        Process one = new ProcessBuilder(ns.exec("socat", "TCP-LISTEN:80,reuseaddr,fork",
                "SYSTEM:echo one; head -c 1000000 /dev/zero")).start();
        server = new ProcessBuilder(other.exec("socat", "TCP-LISTEN:80,reuseaddr,fork", "SYSTEM:echo two"))
                .start();
        try {
            Await.until(() -> listening(ns) && listening(other), "both guests' servers listen");
            assertEquals("one", readLine(port1).lines().findFirst().orElseThrow());
            assertEquals("two", readLine(port2));
            // A hub repeats every frame to all its ports: joined, the second tap would get the megabyte.
            long before = fx.client("t2").counters().rxBytes();
            assertEquals(1_000_000 + 4, readLine(port1).length());
            long seen = fx.client("t2").counters().rxBytes() - before;
            assertTrue(seen < 10_000, "hub 2's tap got " + seen + " bytes while hub 1 moved a megabyte");

            fx.runtime.netdevDel("u1");
            assertThrows(ConnectException.class, () -> readLine(port1), "the forward closed with its netdev");
            assertEquals("two", readLine(port2));
        } finally {
            one.destroyForcibly();
        }
    }

    private static String readLine(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).stripTrailing();
        }
    }

    private static boolean listening(Netns guest) throws Exception {
        return Host.run(5, guest.exec("ss", "-Hltn", "sport = :80")).output().contains(":80");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
