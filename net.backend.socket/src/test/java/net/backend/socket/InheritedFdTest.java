package net.backend.socket;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import net.api.NetClient;
import net.posix.FdChannel;
import net.posix.Libc;
import net.testlib.Await;
import net.testlib.Descriptors;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descriptors handed over by number ({@code socket,fd=}, {@code stream,addr.type=fd},
 * {@code dgram,local.type=fd}) and unix datagram sockets: the sockets the JDK has no channel for.
 * The tests open the descriptors themselves in this JVM, as a parent process would before
 * starting Patchbay, and never close a number they handed over (the netdev owns it).
 */
@Timeout(30)
class InheritedFdTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;
    @AutoClose
    private final Fixture fx = new Fixture();
    /** The far end of {@link Fixture#tap}, when the test made one. */
    private Peer t;

    @Test
    void socketFdOfATcpConnectionCarriesFramesAndIsClosedWithTheNetdev() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            server.setSoTimeout(5000);
            int fd = tcpConnectionTo(server.getLocalPort());
            try (Peer far = new Peer(server.accept())) {
                fx.netdev("socket,id=f,fd=" + fd);
                assertEquals("socket: fd=" + fd, fx.info("f"));
                t = fx.tap("f");
                for (int size : new int[] {60, 9000, NetClient.MAX_FRAME}) {
                    far.send(Peer.frame(size, 1));
                    assertArrayEquals(Peer.frame(size, 1), t.receive(), "to t, size " + size);
                    t.send(Peer.frame(size, 2));
                    assertArrayEquals(Peer.frame(size, 2), far.receive(), "from t, size " + size);
                }
                fx.runtime.netdevDel("f");
                assertTrue(far.closedByNetdev(), "deleting the netdev closes the inherited socket, as QEMU does");
            }
        }
    }

    @Test
    void socketFdWhosePeerLeavesStaysUnconnected() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            server.setSoTimeout(5000);
            int fd = tcpConnectionTo(server.getLocalPort());
            Socket accepted = server.accept();
            fx.netdev("socket,id=f,fd=" + fd);
            accepted.close();
            fx.awaitInfo("f", "");
            fx.awaitCounter("f", "eof", 1);
        }
    }

    @Test
    void socketFdOfADatagramSocketSendsOneFramePerDatagram() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel far = FdChannel.adopt(pair[1])) {
            int fd = Descriptors.handOver(pair[0]);
            fx.netdev("socket,id=f,fd=" + fd);
            assertEquals("socket: fd=" + fd + " unix", fx.info("f"));
            t = fx.tap("f");
            t.datagramRoundTrip(far, null);
        }
    }

    @Test
    void dgramBetweenUnixPaths() throws Exception {
        Path local = dir.resolve("pb.dgram");
        Path remote = dir.resolve("far.dgram");
        Files.writeString(local, "left over"); // replaced, as QEMU unlinks the path before binding
        try (FdChannel far = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            fx.netdev("dgram,id=d,local.type=unix,local.path=" + local + ",remote.type=unix,remote.path=" + remote);
            assertEquals("udp=" + local + ":" + remote, fx.info("d"));
            t = fx.tap("d");
            t.send(Peer.frame(100, 7));
            fx.awaitDrops("d", "send-error", 1); // nobody at the remote path yet: counted, not fatal
            far.bind(UnixDomainSocketAddress.of(remote));
            t.datagramRoundTrip(far, UnixDomainSocketAddress.of(local));
            fx.runtime.netdevDel("d");
            assertFalse(Files.exists(local), "the netdev removes the socket file it bound");
        }
    }

    @Test
    void aFullUnixReceiverPushesBackWithoutSpinningTheLoop() throws Exception {
        Path local = dir.resolve("pb.dgram");
        Path remote = dir.resolve("slow.dgram");
        int frames = 3000;
        try (FdChannel slow = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            slow.bind(UnixDomainSocketAddress.of(remote));
            fx.netdev("dgram,id=d,local.type=unix,local.path=" + local + ",remote.type=unix,remote.path=" + remote);
            t = fx.tap("d");
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < frames; i++) {
                        t.send(Peer.frame(1000, i));
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // The receiver reads nothing: its queue fills, the netdev is refused, the hub and TCP push back.
            Await.until(() -> fx.client("d").counters().queued() > 0, "frames queued for the refused netdev");
            long before = loopCpuNanos();
            Thread.sleep(1000); // the point: the loops' CPU time over one second of back pressure
            long busy = loopCpuNanos() - before;
            assertTrue(busy < 300_000_000L, "the loops spent " + busy / 1_000_000 + " ms of CPU in 1 s waiting for room");

            ByteBuffer in = ByteBuffer.allocate(2048);
            Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
            for (int i = 0; i < frames; i++) {
                in.clear();
                while (slow.receive(in) < 0) {
                    assertTrue(Instant.now().isBefore(deadline), "frame " + i + " did not arrive");
                    Thread.sleep(1);
                }
                assertEquals(1000, in.position(), "frame " + i);
                assertEquals((byte) i, in.get(0), "frames arrive in order, none lost");
            }
            sender.join(Duration.ofSeconds(5));
            assertFalse(sender.isAlive());
        }
    }

    /** CPU time of the runtime's event loops and their descriptor pollers so far. */
    private static long loopCpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("patchbay-loop-")) {
                sum += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return sum;
    }

    @Test
    void dgramLocalFdUsesTheConnectedSocket() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel far = FdChannel.adopt(pair[1])) {
            int fd = Descriptors.handOver(pair[0]);
            fx.netdev("dgram,id=d,local.type=fd,local.str=" + fd);
            assertEquals("fd=" + fd + " unix", fx.info("d"));
            t = fx.tap("d");
            t.datagramRoundTrip(far, null);
        }
    }

    @Test
    void streamClientOnAnInheritedConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            server.setSoTimeout(5000);
            int fd = tcpConnectionTo(server.getLocalPort());
            try (Peer far = new Peer(server.accept())) {
                fx.netdev("stream,id=s,server=off,addr.type=fd,addr.str=" + fd);
                String shown = "tcp:127.0.0.1:" + server.getLocalPort();
                assertEquals(shown, fx.info("s"));
                Fixture.Event connected = fx.events("NETDEV_STREAM_CONNECTED").getFirst();
                assertEquals("s", connected.data().get("netdev-id"));
                assertEquals(Map.of("type", "inet", "host", "127.0.0.1", "port",
                        Integer.toString(server.getLocalPort()), "ipv4", true), connected.data().get("addr"));
                t = fx.tap("s");
                far.send(Peer.frame(1514, 3));
                assertArrayEquals(Peer.frame(1514, 3), t.receive());
            }
            fx.awaitInfo("s", "");
        }
    }

    @Test
    void streamServerOnAnInheritedListeningSocketServesOneClientAtATime() throws Throwable {
        FdChannel listening = FdChannel.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
        listening.bind(new InetSocketAddress(LOOPBACK, 0));
        int port = ((InetSocketAddress) listening.localAddress()).getPort();
        assertEquals(0, (int) listen().invokeExact(Libc.callState(), listening.fd(), 4));
        fx.netdev("stream,id=s,server=on,addr.type=fd,addr.str=" + Descriptors.handOver(listening.fd()));
        assertEquals("", fx.info("s"));
        t = fx.tap("s");
        try (Peer client = Peer.connect(port)) {
            fx.awaitInfo("s", "tcp:127.0.0.1:" + client.socket.getLocalPort());
            client.send(Peer.frame(60, 9));
            assertArrayEquals(Peer.frame(60, 9), t.receive());
        }
        fx.awaitInfo("s", "");
        try (Peer next = Peer.connect(port)) {
            fx.awaitInfo("s", "tcp:127.0.0.1:" + next.socket.getLocalPort());
        }
    }

    @Test
    void anInheritedDescriptorServesOnce() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel far = FdChannel.adopt(pair[1])) {
            int fd = Descriptors.handOver(pair[0]);
            fx.netdev("socket,id=f,fd=" + fd);
            fx.runtime.netdevDel("f");
            assertEquals("g: Can't use file descriptor " + fd + ": already taken over (an inherited descriptor"
                    + " serves one netdev, once)", fx.error("socket,id=g,fd=" + fd));
        }
    }

    @Test
    void descriptorsOfTheWrongKindAreRefusedInQemusWords() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "not a socket");
        int plain = Descriptors.handOver(Libc.open(file.toString(), Libc.O_RDONLY));
        assertEquals("can't get socket option SO_TYPE", fx.error("socket,id=e,fd=" + plain));
        plain = Descriptors.handOver(Libc.open(file.toString(), Libc.O_RDONLY));
        assertEquals("Unable to query local socket address: Socket operation on non-socket",
                fx.error("dgram,id=e,local.type=fd,local.str=" + plain));
        int stream = Descriptors.handOver(Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0));
        assertEquals("dgram: fd=" + stream + " is not a datagram socket",
                fx.error("dgram,id=e,local.type=fd,local.str=" + stream));
        int unbound = Descriptors.handOver(Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0));
        assertEquals("can't listen on file descriptor " + unbound + ": not a listening socket",
                fx.error("stream,id=e,server=on,addr.type=fd,addr.str=" + unbound));
    }

    /** A TCP connection made outside the JDK's channels, as a parent process would pass it. */
    private static int tcpConnectionTo(int port) throws IOException {
        FdChannel mine = FdChannel.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0);
        mine.connect(new InetSocketAddress(LOOPBACK, port)); // completes when the server accepts
        return Descriptors.handOver(mine.fd()); // `mine` is not used again
    }

    private static MethodHandle listen() {
        return Libc.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }
}
