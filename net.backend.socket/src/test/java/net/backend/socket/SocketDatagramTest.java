package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.StandardSocketOptions;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code socket,udp=} and {@code socket,mcast=} with Java datagram sockets as the far ends. */
@Timeout(30)
class SocketDatagramTest {

    private Fixture fx;

    @BeforeEach
    void start() {
        fx = new Fixture();
    }

    @AfterEach
    void stop() {
        fx.close();
    }

    @Test
    void udpCarriesOneFramePerDatagramFromAnySource() throws Exception {
        int tcp = Fixture.freePort();
        try (DatagramSocket remote = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            remote.setSoTimeout(5000);
            int local = freeUdpPort();
            fx.netdev("socket,id=u,udp=127.0.0.1:" + remote.getLocalPort() + ",localaddr=127.0.0.1:" + local);
            fx.netdev("socket,id=t,listen=127.0.0.1:" + tcp);
            fx.hub("u", "t");
            assertEquals("socket: udp=127.0.0.1:" + remote.getLocalPort(), fx.info("u"));
            try (Peer t = Peer.connect(tcp)) {
                fx.awaitConnectionFrom("t", t);
                for (int size : new int[] {60, 9000, 65000}) {
                    byte[] frame = Peer.frame(size, size);
                    stranger.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), local));
                    assertArrayEquals(frame, t.receive());
                    t.send(Peer.frame(size, 1));
                    DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
                    remote.receive(p);
                    assertArrayEquals(Peer.frame(size, 1), Arrays.copyOf(p.getData(), p.getLength()));
                }
                // An empty datagram is counted and skipped; the netdev keeps reading.
                stranger.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), local));
                fx.awaitDrops("u", "empty-datagram", 1);
                stranger.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, InetAddress.getLoopbackAddress(), local));
                assertArrayEquals(new byte[] {1, 2, 3}, t.receive());
            }
        }
    }

    @Test
    void aBurstLeavesAsTheSameDatagramsInOrder() throws Exception {
        // Runs of equal sizes (sent as GSO messages), a shorter frame ending a run, more frames
        // than one batch holds, a lone jumbo frame: the receiver sees each frame as its datagram.
        int[] sizes = new int[300];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = i % 100 == 99 ? 9000 : i % 37 == 36 ? 590 : i < 150 ? 64 : 1514;
        }
        try (DatagramSocket remote = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            remote.setSoTimeout(5000);
            remote.setReceiveBufferSize(4 << 20);
            fx.netdev("socket,id=u,udp=127.0.0.1:" + remote.getLocalPort() + ",localaddr=127.0.0.1:" + freeUdpPort());
            fx.netdev("inject,id=inj");
            fx.hub("u", "inj");
            java.util.List<byte[]> frames = new java.util.ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                frames.add(Peer.frame(sizes[i], i));
            }
            fx.inject.get("inj").send(frames);
            for (int i = 0; i < frames.size(); i++) {
                DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
                remote.receive(p);
                assertArrayEquals(frames.get(i), Arrays.copyOf(p.getData(), p.getLength()), "frame #" + i);
            }
            assertEquals(frames.size(), fx.client("u").counters().rxFrames());
            assertEquals(0, fx.client("u").counters().drops().values().stream().mapToLong(Long::longValue).sum(),
                    "no frame dropped: " + fx.client("u").counters().drops());
        }
    }

    @Test
    void aBurstOfDatagramsArrivesAsTheSameFramesInOrder() throws Exception {
        // More datagrams than one receive takes, of mixed sizes: each is a frame, in order.
        int tcp = Fixture.freePort();
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int local = freeUdpPort();
            fx.netdev("socket,id=u,udp=127.0.0.1:" + sender.getLocalPort() + ",localaddr=127.0.0.1:" + local);
            fx.netdev("socket,id=t,listen=127.0.0.1:" + tcp);
            fx.hub("u", "t");
            try (Peer t = Peer.connect(tcp)) {
                fx.awaitConnectionFrom("t", t);
                java.util.List<byte[]> frames = new java.util.ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    byte[] frame = Peer.frame(i % 50 == 49 ? 9000 : 60 + i % 3, i);
                    frames.add(frame);
                    sender.send(new DatagramPacket(frame, frame.length, InetAddress.getLoopbackAddress(), local));
                }
                for (int i = 0; i < frames.size(); i++) {
                    assertArrayEquals(frames.get(i), t.receive(), "frame #" + i);
                }
                assertEquals(frames.size(), fx.client("u").counters().txFrames());
            }
        }
    }

    @Test
    void mcastMembersOnLoopbackHearEachOther() throws Exception {
        int port = freeUdpPort();
        InetAddress group = InetAddress.getByName("239.255.42.99");
        int tcp = Fixture.freePort();
        fx.netdev("socket,id=m,mcast=239.255.42.99:" + port + ",localaddr=127.0.0.1");
        fx.netdev("socket,id=t,listen=127.0.0.1:" + tcp);
        fx.hub("m", "t");
        assertEquals("socket: mcast=239.255.42.99:" + port, fx.info("m"));
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        try (MulticastSocket member = new MulticastSocket(null); Peer t = Peer.connect(tcp)) {
            member.setReuseAddress(true);
            member.bind(new InetSocketAddress(port));
            member.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            member.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            member.joinGroup(new InetSocketAddress(group, port), lo);
            member.setSoTimeout(5000);
            fx.awaitConnectionFrom("t", t);
            byte[] frame = Peer.frame(9000, 5);
            member.send(new DatagramPacket(frame, frame.length, group, port));
            assertArrayEquals(frame, t.receive());
            t.send(Peer.frame(100, 6));
            byte[] expected = Peer.frame(100, 6);
            DatagramPacket p = new DatagramPacket(new byte[70000], 70000);
            do { // the member hears its own datagram too
                member.receive(p);
            } while (!Arrays.equals(expected, Arrays.copyOf(p.getData(), p.getLength())));
            // Loopback is on: the netdev hears its own frame and passes it on, as QEMU does.
            assertArrayEquals(expected, t.receive());
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }
}
