package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.control.Section;
import net.testkit.TestRuntime;
import net.testlib.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** QEMU 7.2's {@code stream} (inet and unix, server on and off, events) and {@code dgram}. */
@Timeout(30)
class StreamDgramTest {

    @TempDir
    Path dir;
    @AutoClose
    private final Fixture fx = new Fixture();
    /** The far end of {@link Fixture#tap}, when the test made one. */
    private Peer t;

    private void roundTrip(Peer far) throws Exception {
        for (int size : new int[] {60, 9000, net.api.NetClient.MAX_FRAME}) {
            far.send(Peer.frame(size, 1));
            assertArrayEquals(Peer.frame(size, 1), t.receive(), "to t, size " + size);
            t.send(Peer.frame(size, 2));
            assertArrayEquals(Peer.frame(size, 2), far.receive(), "from t, size " + size);
        }
    }


    @Test
    void inetServerAcceptsClientsWithEvents() throws Exception {
        int port = Fixture.freePort();
        // QMP's nested JSON, typed, as netdev_add sends it.
        fx.runtime.add(Section.NETDEV, Map.of("type", "stream", "id", "s", "server", true,
                "addr", Map.of("type", "inet", "host", "127.0.0.1", "port", Integer.toString(port))));
        t = fx.tap("s");
        assertEquals("", fx.info("s"));
        try (Peer c = Peer.connect(port)) {
            String shown = "127.0.0.1:" + c.socket.getLocalPort();
            fx.awaitInfo("s", "tcp:" + shown);
            roundTrip(c);
            assertEquals(List.of(new TestRuntime.Event("NETDEV_STREAM_CONNECTED", Map.of("netdev-id", "s", "addr",
                    Map.of("type", "inet", "host", "127.0.0.1", "port", Integer.toString(c.socket.getLocalPort()),
                            "ipv4", true)))), fx.events("NETDEV_STREAM_CONNECTED"));
        }
        fx.awaitInfo("s", "");
        Await.until(() -> fx.events("NETDEV_STREAM_DISCONNECTED").size() == 1, "disconnected event");
        assertEquals(Map.of("netdev-id", "s"), fx.events("NETDEV_STREAM_DISCONNECTED").get(0).data());
        try (Peer c = Peer.connect(port)) { // the next client
            fx.awaitInfo("s", "tcp:127.0.0.1:" + c.socket.getLocalPort());
            roundTrip(c);
        }
    }

    @Test
    void inetClientConnectsAndReconnects() throws Exception {
        int port = Fixture.freePort();
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port));
        server.setSoTimeout(5000);
        fx.netdev("stream,id=s,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port + ",reconnect-ms=200");
        t = fx.tap("s");
        try (Peer c = new Peer(server.accept())) {
            fx.awaitInfo("s", "tcp:127.0.0.1:" + port);
            roundTrip(c);
        }
        server.close();
        Await.until(() -> fx.events("NETDEV_STREAM_DISCONNECTED").size() == 1, "disconnected event");
        fx.awaitInfo("s", "connection error"); // a retry met the closed port
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", port));
        server.setSoTimeout(5000);
        try (Peer c = new Peer(server.accept())) {
            fx.awaitInfo("s", "tcp:127.0.0.1:" + port);
            roundTrip(c);
            assertEquals(2, fx.events("NETDEV_STREAM_CONNECTED").size());
            assertEquals(Map.of("type", "inet", "host", "127.0.0.1", "port", Integer.toString(port), "ipv4", true),
                    fx.events("NETDEV_STREAM_CONNECTED").get(1).data().get("addr"));
        } finally {
            server.close();
        }
    }

    @Test
    void unixServerTakesOverAStaleSocketButNotALiveOne() throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(path)); // closing leaves the file behind
        }
        assertTrue(Files.exists(path));
        fx.netdev("stream,id=s,server=on,addr.type=unix,addr.path=" + path);
        t = fx.tap("s");
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(path)); Peer c = new Peer(ch)) {
            fx.awaitInfo("s", "unix:" + path);
            roundTrip(c);
            assertEquals(Map.of("type", "unix", "path", path.toString()),
                    fx.events("NETDEV_STREAM_CONNECTED").get(0).data().get("addr"));
        }
        fx.awaitInfo("s", "");
        assertEquals("can't bind ip=" + path + " to socket: Address already in use",
                fx.error("stream,id=s2,server=on,addr.type=unix,addr.path=" + path));
        fx.runtime.netdevDel("s");
        assertTrue(!Files.exists(path), "the server removes its socket file");
    }

    @Test
    void unixClientConnectsToAUnixServer() throws Exception {
        Path path = dir.resolve("c.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            fx.netdev("stream,id=s,server=off,addr.type=unix,addr.path=" + path);
            t = fx.tap("s");
            try (SocketChannel ch = server.accept(); Peer c = new Peer(ch)) {
                fx.awaitInfo("s", "unix:" + path);
                roundTrip(c);
            }
            fx.awaitInfo("s", "");
        }
    }

    @Test
    void unixClientWithoutServerShowsConnectionError() throws Exception {
        assertEquals("can't connect socket: No such file or directory",
                fx.error("stream,id=s,addr.type=unix,addr.path=" + dir.resolve("none.sock")));
        int port = Fixture.freePort();
        fx.netdev("stream,id=s,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port);
        fx.awaitInfo("s", "connection error");
    }

    @Test
    void dgramUnicastRoundTrip() throws Exception {
        try (DatagramSocket remote = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            remote.setSoTimeout(5000);
            int local;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                local = probe.getLocalPort();
            }
            fx.netdev("dgram,id=d,local.type=inet,local.host=127.0.0.1,local.port=" + local
                    + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + remote.getLocalPort());
            assertEquals("udp=127.0.0.1:" + local + "/127.0.0.1:" + remote.getLocalPort(), fx.info("d"));
            t = fx.tap("d");
            byte[] frame = Peer.frame(9000, 4);
            remote.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), local));
            assertArrayEquals(frame, t.receive());
            // 65507 bytes is the most a UDP datagram carries over IPv4; larger frames are counted and dropped.
            t.send(Peer.frame(65535, 5));
            fx.awaitDrops("d", "oversized", 1);
            t.send(Peer.frame(65507, 5));
            DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
            remote.receive(p);
            assertArrayEquals(Peer.frame(65507, 5), Arrays.copyOf(p.getData(), p.getLength()));
        }
    }

    @Test
    void dgramMulticastTwoNetdevsHearEachOther() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0)) {
            port = probe.getLocalPort();
        }
        String group = "remote.type=inet,remote.host=239.255.42.98,remote.port=" + port
                + ",local.type=inet,local.host=127.0.0.1,local.port=0";
        fx.netdev("dgram,id=m1," + group);
        fx.netdev("dgram,id=m2," + group);
        assertEquals("mcast=239.255.42.98:" + port, fx.info("m1"));
        int tcp = Fixture.freePort();
        int tcp2 = Fixture.freePort();
        fx.netdev("socket,id=t1,listen=127.0.0.1:" + tcp);
        fx.netdev("socket,id=t2,listen=127.0.0.1:" + tcp2);
        fx.netdev("hubport,id=h1,hubid=1,netdev=m1");
        fx.netdev("hubport,id=h2,hubid=1,netdev=t1");
        fx.netdev("hubport,id=h3,hubid=2,netdev=m2");
        fx.netdev("hubport,id=h4,hubid=2,netdev=t2");
        try (Peer p1 = Peer.connect(tcp); Peer p2 = Peer.connect(tcp2)) {
            fx.awaitConnectionFrom("t1", p1);
            fx.awaitConnectionFrom("t2", p2);
            p1.send(Peer.frame(9000, 6));
            assertArrayEquals(Peer.frame(9000, 6), p2.receive());
            // m1 hears itself too (loopback on, as in QEMU) and hands the frame back to t1.
            assertArrayEquals(Peer.frame(9000, 6), p1.receive());
        }
    }
}
