package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.InjectDriver;
import net.testlib.KernelTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An l2tpv3 netdev on a real socket (UDP and raw IP, IPv4 and IPv6) against the test's own socket,
 * with 64-bit cookies and the counter on: what it sends is checked byte by byte, and hand-written
 * packets go in, good ones delivered to a sink on the same hub and bad ones dropped and counted.
 */
@Timeout(30)
class L2tpv3WireTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final Duration ARRIVES = Duration.ofSeconds(5);
    private static final long TX_COOKIE = 0x0102030405060708L;
    private static final long RX_COOKIE = 0x1112131415161718L;

    private Fixture fx;
    private WirePeer peer;
    private int txSession;
    private int rxSession;

    @BeforeEach
    void start() {
        fx = new Fixture();
        // Raw sockets on one host see every protocol-115 packet: ids of their own keep tests apart.
        txSession = ThreadLocalRandom.current().nextInt(1 << 20, 1 << 30);
        rxSession = txSession + 1;
    }

    @AfterEach
    void stop() {
        try {
            if (peer != null) {
                peer.close();
            }
        } finally {
            fx.close();
        }
    }

    private void open(WirePeer.Mode mode) throws Exception {
        int netdevPort = freeUdpPort(mode);
        int peerPort = freeUdpPort(mode);
        peer = WirePeer.open(mode, peerPort, netdevPort);
        fx.netdev("l2tpv3,id=t0," + mode.netdevOptions(netdevPort, peerPort) + ",txsession=" + txSession
                + ",rxsession=" + rxSession + ",cookie64=on,txcookie=" + TX_COOKIE + ",rxcookie=" + RX_COOKIE
                + ",counter=on");
        fx.netdev(InjectDriver.TYPE + ",id=s0");
        fx.hub(1, "t0", "s0");
    }

    private byte[] header(WirePeer.Mode mode, int session, long cookie, int counter) {
        ByteBuffer b = ByteBuffer.allocate((mode.udp ? 4 : 0) + 16);
        if (mode.udp) {
            b.putInt(0x00030000);
        }
        return b.putInt(session).putLong(cookie).putInt(counter).array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static byte[] frame(int n, int length) {
        byte[] f = new byte[length];
        System.arraycopy(HEX.parseHex("ffffffffffff5254000000" + String.format("%02x", n) + "88b5"), 0, f, 0, 14);
        for (int i = 14; i < length; i++) {
            f[i] = (byte) (n + i);
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(value = WirePeer.Mode.class, names = {"UDP4", "UDP6"})
    void framesLeaveWithTheSessionHeaderAndACountingCounter(WirePeer.Mode mode) throws Exception {
        open(mode);
        List<byte[]> frames = List.of(frame(1, 60), frame(2, 1514), frame(3, 9000));
        assertEquals(List.of(SendResult.SENT, SendResult.SENT, SendResult.SENT), fx.inject.get("s0").send(frames));
        byte[] first = mode.udp ? new byte[] {0, 3, 0, 0} : ByteBuffer.allocate(4).putInt(txSession).array();
        for (int i = 0; i < frames.size(); i++) {
            byte[] packet = peer.receive(first, ARRIVES);
            assertNotNull(packet, "packet " + (i + 1) + " did not arrive");
            byte[] expected = concat(header(mode, txSession, TX_COOKIE, i + 1), frames.get(i));
            assertArrayEquals(expected, packet, "packet " + (i + 1));
        }
    }

    /** IP mode: the netdev and the test's peer need raw protocol-115 sockets, which only root may open. */
    @ParameterizedTest
    @EnumSource(value = WirePeer.Mode.class, names = {"IP4", "IP6"})
    @KernelTest
    void framesLeaveRawSocketsWithTheSessionHeaderAndACountingCounter(WirePeer.Mode mode) throws Exception {
        framesLeaveWithTheSessionHeaderAndACountingCounter(mode);
    }

    @ParameterizedTest
    @EnumSource(value = WirePeer.Mode.class, names = {"UDP4", "UDP6"})
    void goodPacketsAreDeliveredAndBadOnesDroppedAndCounted(WirePeer.Mode mode) throws Exception {
        open(mode);
        InjectDriver.Inject sink = fx.inject.get("s0");
        byte[] good = concat(header(mode, rxSession, RX_COOKIE, 1), frame(1, 60));
        peer.send(good);
        Await.until(() -> sink.received().size() == 1, ARRIVES, "the good frame");
        assertArrayEquals(frame(1, 60), sink.received().get(0));

        List<byte[]> bad = new ArrayList<>();
        bad.add(concat(header(mode, rxSession + 7, RX_COOKIE, 2), frame(2, 60)));      // wrong session
        bad.add(concat(header(mode, rxSession, RX_COOKIE ^ 1, 3), frame(3, 60)));      // wrong cookie
        bad.add(concat(header(mode, rxSession, TX_COOKIE, 4), frame(4, 60)));          // our own tx cookie
        bad.add(header(mode, rxSession, RX_COOKIE, 5));                                 // header only
        bad.add(java.util.Arrays.copyOf(header(mode, rxSession, RX_COOKIE, 6), (mode.udp ? 4 : 0) + 10)); // cut in the cookie
        byte[] seq = concat(header(mode, rxSession, RX_COOKIE, 0x40000010), frame(6, 60));
        byte[] staleSeq = concat(header(mode, rxSession, RX_COOKIE, 0x4000000f), frame(7, 60));
        for (byte[] packet : bad) {
            peer.send(packet);
        }
        peer.send(seq);
        peer.send(staleSeq);
        byte[] after = concat(header(mode, rxSession, RX_COOKIE, 0x40000011), frame(8, 60));
        peer.send(after);
        Await.until(() -> sink.received().size() == 3, ARRIVES, "the frames after the bad ones");
        assertArrayEquals(frame(6, 60), sink.received().get(1));
        assertArrayEquals(frame(8, 60), sink.received().get(2));
        assertEquals(1, fx.drops("t0", "wrong-session"), "wrong-session");
        assertEquals(2, fx.drops("t0", "wrong-cookie"), "wrong-cookie");
        assertEquals(2, fx.drops("t0", "too-short"), "too-short");
        assertEquals(1, fx.drops("t0", "bad-counter"), "bad-counter");
        if (mode.udp) {
            peer.send(concat(new byte[] {(byte) 0xc8, 3, 0, 0}, java.util.Arrays.copyOfRange(after, 4, after.length)));
            Await.until(() -> fx.drops("t0", "bad-header") == 1, ARRIVES, "a control message counted");
        }
        assertEquals(3, sink.received().size(), "nothing bad was delivered");
    }

    /** IP mode, as above: root only. */
    @ParameterizedTest
    @EnumSource(value = WirePeer.Mode.class, names = {"IP4", "IP6"})
    @KernelTest
    void goodRawPacketsAreDeliveredAndBadOnesDroppedAndCounted(WirePeer.Mode mode) throws Exception {
        goodPacketsAreDeliveredAndBadOnesDroppedAndCounted(mode);
    }

    /** @return a UDP port free a moment ago on the mode's family (0 for raw: ports are not used) */
    private static int freeUdpPort(WirePeer.Mode mode) throws IOException {
        if (!mode.udp) {
            return 0;
        }
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(
                InetAddress.ofLiteral(mode.ipv6 ? "::1" : "127.0.0.1"), 0))) {
            return s.getLocalPort();
        }
    }
}
