package net.backend.socket;

import static net.testlib.Descriptors.file;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import net.posix.FdChannel;
import net.posix.Libc;
import net.qmp.server.QmpServer;
import net.testlib.Descriptors;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sockets a QMP client passes over a unix QMP socket ({@code getfd}, SCM_RIGHTS) and names in
 * {@code netdev_add}'s {@code fd=} (QEMU's {@code monitor_fd_param}): the client closes its own
 * copy, the netdev carries frames through the one it took, and deleting the netdev closes it.
 */
@Timeout(30)
class NamedFdTest {

    private static final String OK = "{\"return\":{}}";

    @TempDir
    Path dir;
    @AutoClose
    private final Fixture fx = new Fixture();
    private QmpServer server;
    private QmpUnixClient qmp;

    @BeforeEach
    void start() throws Exception {
        server = new QmpServer(fx.runtime, "patchbay-test", () -> { }, System.getLogger("qmp-test"));
        server.listen("unix:" + dir.resolve("qmp.sock"));
        qmp = new QmpUnixClient(dir.resolve("qmp.sock"));
    }

    @AfterEach
    void stop() {
        qmp.close();
        server.close();
    }

    /** Passes a descriptor under a name and closes this side's copy, as a management client does. */
    private void pass(String name, int fd) throws IOException {
        try {
            assertEquals(OK, compact(qmp.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"" + name
                    + "\"}}", fd)));
        } finally {
            Libc.close(fd);
        }
    }

    private static String compact(String json) {
        return json.replace(" ", "");
    }

    @Test
    void socketFdByNameCarriesFramesAndIsClosedWithTheNetdev() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        String passed = file(pair[0]);
        try (FdChannel far = FdChannel.adopt(pair[1])) {
            pass("far", pair[0]);
            assertEquals(OK, compact(qmp.execute(
                    "{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"socket\", \"id\": \"f\", \"fd\": \"far\"}}")));
            String info = fx.info("f");
            int fd = Integer.parseInt(info.substring("socket: fd=".length(), info.indexOf(" unix")));
            assertEquals(passed, file(fd), "the netdev holds the socket the client passed");
            Peer t = fx.tap("f");
            t.datagramRoundTrip(far, null);
            String again = qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"socket\", \"id\": \"g\","
                    + " \"fd\": \"far\"}}");
            assertTrue(again.contains("\"File descriptor named 'far' has not been found\""), "the first netdev took it: " + again);
            fx.runtime.netdevDel("f");
            assertNotEquals(passed, file(fd), "deleting the netdev closed it");
        }
    }

    @Test
    void aPassedDescriptorThatIsNoSocketIsClosedWithTheRefusal() throws Exception {
        int base = Descriptors.openCount();
        pass("null", Libc.open("/dev/null", Libc.O_RDWR));
        assertEquals(base + 1, Descriptors.openCount(), "held by the client's monitor");
        String reply = qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"socket\", \"id\": \"f\","
                + " \"fd\": \"null\"}}");
        assertTrue(reply.contains("\"can't get socket option SO_TYPE\""), reply);
        assertEquals(base, Descriptors.openCount(), "the netdev took it and closed it on failing, as QEMU does");
    }

    @Test
    void dgramLocalFdAndStreamAddrFdByName() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel far = FdChannel.adopt(pair[1])) {
            pass("d", pair[0]);
            assertEquals(OK, compact(qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"dgram\", "
                    + "\"id\": \"d\", \"local\": {\"type\": \"fd\", \"str\": \"d\"}}}")));
            Peer t = fx.tap("d");
            t.send(Peer.frame(100, 4));
            assertArrayEquals(Peer.frame(100, 4), Peer.datagram(far));
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket listening = new ServerSocket(0, 1, loopback)) {
            listening.setSoTimeout(5000);
            FdChannel mine = FdChannel.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
            mine.connect(new InetSocketAddress(loopback, listening.getLocalPort()));
            try (Peer farEnd = new Peer(listening.accept())) {
                pass("s", mine.fd());
                assertEquals(OK, compact(qmp.execute("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"stream\", "
                        + "\"id\": \"s\", \"server\": false, \"addr\": {\"type\": \"fd\", \"str\": \"s\"}}}")));
                assertEquals("tcp:127.0.0.1:" + listening.getLocalPort(), fx.info("s"));
                fx.runtime.netdevDel("s");
                assertTrue(farEnd.closedByNetdev(), "deleting the netdev closed the passed socket");
            }
        }
    }
}
