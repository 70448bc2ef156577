package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.api.Delivery;
import net.api.NetClient;
import net.posix.FdChannel;
import net.posix.Libc;
import net.testlib.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames reach {@link NetClient#receive} as read-only buffers. Every call the packet backends
 * write them with must take one, direct (a native call given a read-only memory segment) or heap:
 * {@link FdChannel}'s write, gathering write and send (tap, raw l2tpv3, unix and inherited
 * datagrams), the JDK's UDP send and gathering write (dgram, udpwire, l2tpv3 over UDP), and a
 * packet client's receive.
 */
@Timeout(30)
class ReadOnlyFramesTest {

    private static final byte[] FRAME = Frames.testFrame(1, 1514);
    private static final byte[] HEADER = {0x00, 0x03, 0x00, 0x00, 0x12, 0x34, 0x56, 0x78};

    private final Sockets sockets = new Sockets();

    @AfterEach
    void tearDown() throws Exception {
        sockets.close();
    }

    @Test
    void fdChannelWritesReadOnlyBuffers() throws Exception {
        FdChannel[] pair = sockets.pair();
        for (ByteBuffer frame : List.of(direct(FRAME), heap(FRAME))) {
            assertEquals(FRAME.length, pair[0].write(frame));
            assertEquals(frame.limit(), frame.position(), "the read-only buffer's position moves on");
            assertArrayEquals(FRAME, sockets.receive(pair[1]));
        }
    }

    @Test
    void fdChannelGathersReadOnlyBuffersIntoOnePacket() throws Exception {
        FdChannel[] pair = sockets.pair();
        byte[] packet = concat(HEADER, FRAME);
        for (ByteBuffer[] pieces : List.of(new ByteBuffer[] {direct(HEADER), direct(FRAME)},
                new ByteBuffer[] {heap(HEADER), direct(FRAME)}, new ByteBuffer[] {direct(HEADER), heap(FRAME)})) {
            assertEquals(packet.length, pair[0].write(pieces));
            assertTrue(!pieces[0].hasRemaining() && !pieces[1].hasRemaining());
            assertArrayEquals(packet, sockets.receive(pair[1]));
        }
    }

    @Test
    void fdChannelSendsReadOnlyBuffersConnectedAndToAnAddress(@TempDir Path dir) throws Exception {
        FdChannel[] pair = sockets.pair();
        assertEquals(FRAME.length, pair[0].send(direct(FRAME), null));
        assertArrayEquals(FRAME, sockets.receive(pair[1]));

        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("far"));
        FdChannel bound = sockets.closeLater(FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0));
        bound.bind(path);
        FdChannel unbound = sockets.closeLater(FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0));
        for (ByteBuffer frame : List.of(direct(FRAME), heap(FRAME))) {
            assertEquals(FRAME.length, unbound.send(frame, path));
            assertArrayEquals(FRAME, sockets.receive(bound));
        }
    }

    @Test
    void jdkUdpChannelsSendAndGatherReadOnlyBuffers() throws Exception {
        DatagramChannel from = sockets.udp();
        DatagramChannel to = sockets.udp();
        for (ByteBuffer frame : List.of(direct(FRAME), heap(FRAME))) {
            assertEquals(FRAME.length, from.send(frame, to.getLocalAddress()));
            assertArrayEquals(FRAME, sockets.receive(to));
        }
        from.connect(to.getLocalAddress());
        assertEquals(HEADER.length + FRAME.length, from.write(new ByteBuffer[] {direct(HEADER), direct(FRAME)}));
        assertArrayEquals(concat(HEADER, FRAME), sockets.receive(to));
    }

    @Test
    void aPacketClientWritesAReadOnlyFrame() throws Exception {
        FdChannel[] pair = sockets.pair();
        try (Rig rig = new Rig(1)) {
            rig.prepare("w", ctx -> PacketClient.start(ctx, new FdWire(pair[0]), NetClient.MAX_FRAME, "w"));
            rig.netdev("wire,id=w");
            NetClient client = rig.opened("w");
            assertEquals(List.of(Delivery.DELIVERED, Delivery.DELIVERED),
                    rig.onLoop("w", () -> List.of(client.receive(direct(FRAME)), client.receive(heap(FRAME)))));
            assertArrayEquals(FRAME, sockets.receive(pair[1]));
            assertArrayEquals(FRAME, sockets.receive(pair[1]));
        }
    }

    /** A read-only view of a direct buffer holding the bytes, as the runtime hands frames over. */
    private static ByteBuffer direct(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 16).position(16);
        buffer.put(bytes).flip().position(16);
        ByteBuffer view = buffer.asReadOnlyBuffer();
        assertTrue(view.isReadOnly() && view.isDirect());
        return view;
    }

    private static ByteBuffer heap(byte[] bytes) {
        return ByteBuffer.wrap(bytes.clone()).asReadOnlyBuffer();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
