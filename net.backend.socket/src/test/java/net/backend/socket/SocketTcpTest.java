package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import net.testlib.Warnings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code socket,listen=} and {@code socket,connect=} with Java sockets as the far ends. */
@Timeout(30)
class SocketTcpTest {

    private Fixture fx;
    private int portA;
    private int portB;

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture();
        portA = Fixture.freePort();
        portB = Fixture.freePort();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    /** Two listening netdevs on hub 1: what a client of one sends reaches the client of the other. */
    private void twoListeners() throws Exception {
        fx.netdev("socket,id=a,listen=127.0.0.1:" + portA);
        fx.netdev("socket,id=b,listen=127.0.0.1:" + portB);
        fx.hub("a", "b");
    }

    @Test
    void framesCrossTheHubAndInfoShowsTheClient() throws Exception {
        twoListeners();
        assertEquals("", fx.info("a"), "QEMU 7.2 shows nothing while waiting");
        try (Peer a = Peer.connect(portA); Peer b = Peer.connect(portB)) {
            fx.awaitConnectionFrom("a", a);
            fx.awaitConnectionFrom("b", b);
            byte[] frame = Peer.frame(60, 1);
            a.send(frame);
            assertArrayEquals(frame, b.receive());
            b.send(Peer.frame(100, 7));
            assertArrayEquals(Peer.frame(100, 7), a.receive());
        }
    }

    @Test
    void reassemblesFramesSentOneByteAtATime() throws Exception {
        twoListeners();
        try (Peer a = Peer.connect(portA); Peer b = Peer.connect(portB)) {
            fx.awaitConnectionFrom("b", b);
            fx.awaitConnectionFrom("a", a);
            for (int n = 0; n < 3; n++) {
                byte[] frame = Peer.frame(64 + n, n);
                byte[] wire = new byte[4 + frame.length];
                java.nio.ByteBuffer.wrap(wire).putInt(frame.length).put(frame);
                for (byte x : wire) {
                    a.out.write(x);
                    a.out.flush();
                    Thread.sleep(1); // separate segments, length bytes split too
                }
            }
            for (int n = 0; n < 3; n++) {
                assertArrayEquals(Peer.frame(64 + n, n), b.receive());
            }
        }
    }

    @Test
    void servesSequentialClientsAndDropsWhileNoneIsConnected() throws Exception {
        twoListeners();
        try (Peer b = Peer.connect(portB)) {
            fx.awaitConnectionFrom("b", b);
            b.send(Peer.frame(60, 0)); // a has no client: dropped and counted
            fx.awaitDrops("a", "not-connected", 1);
            for (int round = 0; round < 3; round++) {
                try (Peer a = Peer.connect(portA)) {
                    fx.awaitConnectionFrom("a", a);
                    // A half frame is dropped with the client that sent it.
                    a.send(Peer.frame(60, round));
                    assertArrayEquals(Peer.frame(60, round), b.receive());
                    a.out.writeInt(100);
                    a.out.write(new byte[10]);
                    a.out.flush();
                }
                fx.awaitInfo("a", "");
            }
            assertEquals(3, fx.drops("a", "truncated"));
        }
    }

    @Test
    void secondClientWaitsUntilTheFirstLeaves() throws Exception {
        twoListeners();
        try (Peer b = Peer.connect(portB); Peer first = Peer.connect(portA)) {
            fx.awaitConnectionFrom("a", first);
            fx.awaitConnectionFrom("b", b);
            try (Peer second = Peer.connect(portA)) { // sits in the backlog
                second.send(Peer.frame(50, 2));
                first.send(Peer.frame(50, 1));
                assertArrayEquals(Peer.frame(50, 1), b.receive());
                first.close();
                assertArrayEquals(Peer.frame(50, 2), b.receive());
                assertEquals("socket: connection from 127.0.0.1:" + second.socket.getLocalPort(), fx.info("a"));
            }
        }
    }

    @Test
    void aClientThatComesBackWithBadFramesAgainAndAgainIsLoggedAtABoundedRate() throws Exception {
        fx.netdev("socket,id=a,listen=127.0.0.1:" + portA);
        try (Warnings warnings = new Warnings("netdev a")) {
            for (int i = 1; i <= 100; i++) {
                try (Peer a = Peer.connect(portA)) {
                    a.out.writeInt(0);
                    a.out.flush();
                    assertTrue(a.closedByNetdev());
                }
                fx.awaitDrops("a", "bad-length", i);
            }
            List<String> lines = warnings.messages();
            assertEquals(1, lines.size(), "the first, then one line per 10 s at most: " + lines);
            assertTrue(lines.get(0).matches("closing connection from 127\\.0\\.0\\.1:\\d+: bad frame length 0 .*"),
                    lines.get(0));
        }
    }

    @Test
    void badLengthTruncatedAndSilentClientsCloseOnlyTheirConnection() throws Exception {
        twoListeners();
        try (Peer b = Peer.connect(portB)) {
            fx.awaitConnectionFrom("b", b);
            try (Peer a = Peer.connect(portA)) {
                a.out.writeInt(0);
                a.out.flush();
                assertTrue(a.closedByNetdev());
            }
            fx.awaitDrops("a", "bad-length", 1);
            try (Peer a = Peer.connect(portA)) {
                a.out.writeInt(net.api.NetClient.MAX_FRAME + 1);
                a.out.write(new byte[100]);
                a.out.flush();
                assertTrue(a.closedByNetdev());
            }
            fx.awaitDrops("a", "bad-length", 2);
            try (Peer a = Peer.connect(portA)) {
                a.out.write(new byte[] {0, 0}); // half a length, then EOF
                a.out.flush();
                a.socket.shutdownOutput();
                assertTrue(a.closedByNetdev());
            }
            fx.awaitDrops("a", "truncated", 1);
            try (Peer silent = Peer.connect(portA)) {
                fx.awaitConnectionFrom("a", silent);
            }
            fx.awaitCounter("a", "eof", 1);
            assertEquals(0, fx.client("b").counters().rxFrames(), "nothing reached b");
            try (Peer a = Peer.connect(portA)) {
                a.send(Peer.frame(60, 9));
                assertArrayEquals(Peer.frame(60, 9), b.receive());
            }
        }
    }

    @Test
    void jumboFramesPassBothWays() throws Exception {
        twoListeners();
        try (Peer a = Peer.connect(portA); Peer b = Peer.connect(portB)) {
            fx.awaitConnectionFrom("a", a);
            fx.awaitConnectionFrom("b", b);
            for (int size : new int[] {9000, 65535, 65536 + 14, net.api.NetClient.MAX_FRAME}) {
                a.send(Peer.frame(size, size));
                assertArrayEquals(Peer.frame(size, size), b.receive(), "size " + size);
                b.send(Peer.frame(size, 3));
                assertArrayEquals(Peer.frame(size, 3), a.receive(), "size " + size);
            }
        }
    }

    @Test
    void connectReachesAServerAndReconnectsAfterItRestarts() throws Exception {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", portA));
        fx.netdev("socket,id=a,connect=127.0.0.1:" + portA + ",reconnect=1");
        fx.netdev("socket,id=b,listen=127.0.0.1:" + portB);
        fx.hub("a", "b");
        try (Peer b = Peer.connect(portB)) {
            try (Peer a = new Peer(accept(server))) {
                fx.awaitInfo("a", "socket: connect to 127.0.0.1:" + portA);
                fx.awaitConnectionFrom("b", b);
                a.send(Peer.frame(70, 1));
                assertArrayEquals(Peer.frame(70, 1), b.receive());
            }
            server.close(); // the server goes away; the netdev retries every second
            fx.awaitInfo("a", "");
            fx.awaitCounter("a", "connect-failed", 1); // a retry met the closed port
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", portA));
            try (Peer a = new Peer(accept(server))) {
                fx.awaitInfo("a", "socket: connect to 127.0.0.1:" + portA);
                b.send(Peer.frame(80, 2));
                assertArrayEquals(Peer.frame(80, 2), a.receive());
            }
        } finally {
            server.close();
        }
    }

    @Test
    void connectWithReconnectWaitsForAServerThatStartsLater() throws Exception {
        fx.netdev("socket,id=a,connect=127.0.0.1:" + portA + ",reconnect=1");
        fx.awaitCounter("a", "connect-failed", 1);
        assertEquals("", fx.info("a"));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", portA));
            try (Peer a = new Peer(accept(server))) {
                fx.awaitInfo("a", "socket: connect to 127.0.0.1:" + portA);
            }
        }
    }

    @Test
    void connectWithoutReconnectStaysDown() throws Exception {
        fx.netdev("socket,id=a,connect=127.0.0.1:" + portA);
        fx.awaitCounter("a", "connect-failed", 1);
        assertEquals("", fx.info("a"));
        Thread.sleep(300); // the point: nothing happens meanwhile, as nothing retries without reconnect=
        assertEquals(0, fx.counter("a", "reconnect"));
    }

    @Test
    void deletingTheNetdevFreesItsPortAtOnce() throws Exception {
        fx.netdev("socket,id=a,listen=127.0.0.1:" + portA);
        try (Peer a = Peer.connect(portA)) {
            fx.awaitConnectionFrom("a", a);
            fx.runtime.netdevDel("a");
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress("127.0.0.1", portA));
            }
            assertTrue(a.closedByNetdev());
        }
        // The driver going away (bundle stopped) closes its sockets too; coming back reopens them.
        fx.netdev("socket,id=c,listen=127.0.0.1:" + portB);
        fx.runtime.unbindNetClientDriver(fx.socket, Map.of("net.type", "socket"));
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress("127.0.0.1", portB));
        }
        fx.runtime.bindNetClientDriver(fx.socket, Map.of("net.type", "socket"));
        try (Peer c = Peer.connect(portB)) {
            fx.awaitConnectionFrom("c", c);
        }
    }

    private static Socket accept(ServerSocket server) throws IOException {
        server.setSoTimeout(5000);
        return server.accept();
    }
}
