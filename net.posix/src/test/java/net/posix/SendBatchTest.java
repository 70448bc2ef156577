package net.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link SendBatch} against a plain UDP socket: what arrives is the datagrams added, one by one. */
@Timeout(30)
class SendBatchTest {

    /** Runs of equal sizes, a shorter datagram after a run, sizes that rise, a lone jumbo. */
    private static final int[] SIZES = {64, 64, 64, 64, 64, 60, 60, 1514, 1514, 1514, 590, 42, 9000, 9000, 9000,
            9000, 100, 1, 1, 65000, 64};

    @Test
    void gsoRunsArriveAsTheDatagramsAddedInOrder() throws IOException {
        try (DatagramChannel receiver = receiver(); FdChannel sender = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                SendBatch batch = new SendBatch(true)) {
            batch.target(receiver.getLocalAddress());
            List<byte[]> sent = addAll(batch, SIZES);
            assertEquals(SIZES.length, batch.size());
            assertEquals(SIZES.length, batch.send(sender.fd()));
            assertEquals(0, batch.size());
            assertTrue(batch.gso(), "loopback takes GSO messages");
            assertReceived(receiver, sent);
        }
    }

    @Test
    void aSocketThatRefusesGsoGetsOneDatagramPerMessageFromThenOn() throws IOException {
        try (DatagramChannel receiver = receiver(); FdChannel sender = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                SendBatch batch = new SendBatch(true)) {
            // Without UDP checksums the kernel refuses GSO with EINVAL.
            sender.setIntOption(Libc.SOL_SOCKET, SO_NO_CHECK, 1);
            batch.target(receiver.getLocalAddress());
            List<byte[]> sent = addAll(batch, SIZES);
            assertEquals(SIZES.length, batch.send(sender.fd()));
            assertFalse(batch.gso());
            sent.addAll(addAll(batch, new int[] {64, 64, 64}));
            assertEquals(3, batch.send(sender.fd()));
            assertReceived(receiver, sent);
        }
    }

    @Test
    void aConnectedSocketNeedsNoTargetAndAFullBatchTakesNoMore() throws IOException {
        try (DatagramChannel receiver = receiver(); FdChannel sender = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                SendBatch batch = new SendBatch(true)) {
            sender.connect(receiver.getLocalAddress());
            batch.target(null);
            int[] sizes = new int[SendBatch.MAX_DATAGRAMS];
            java.util.Arrays.fill(sizes, 128);
            List<byte[]> sent = addAll(batch, sizes);
            assertFalse(batch.add(ByteBuffer.allocate(10)), "the batch holds " + SendBatch.MAX_DATAGRAMS);
            assertEquals(SendBatch.MAX_DATAGRAMS, batch.send(sender.fd()));
            assertReceived(receiver, sent);
        }
    }

    @Test
    void aDatagramTheKernelRefusesIsDroppedAndTheRestStays() throws IOException {
        try (DatagramChannel receiver = receiver(); FdChannel sender = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                SendBatch batch = new SendBatch(true)) {
            batch.target(receiver.getLocalAddress());
            List<byte[]> sent = addAll(batch, new int[] {65508, 70, 70});
            assertEquals(-Libc.EMSGSIZE, batch.send(sender.fd()), "above UDP's largest datagram");
            assertEquals(2, batch.size());
            assertEquals(2, batch.send(sender.fd()));
            assertReceived(receiver, sent.subList(1, 3));
        }
    }

    @Test
    void sendAllThrowsForTheDatagramTheKernelRefusesAndSendsTheRestNextTime() throws IOException {
        try (DatagramChannel receiver = receiver(); FdChannel sender = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                SendBatch batch = new SendBatch(true)) {
            batch.target(receiver.getLocalAddress());
            List<byte[]> sent = addAll(batch, new int[] {70, 65508, 70, 70});
            PosixException refused = org.junit.jupiter.api.Assertions.assertThrows(PosixException.class,
                    () -> batch.sendAll(sender.fd()));
            assertEquals(Libc.EMSGSIZE, refused.errno());
            assertEquals(2, batch.size(), "the two after it stay");
            assertEquals(1, batch.sendAll(sender.fd()));
            assertEquals(0, batch.size());
            assertEquals(0, batch.sendAll(sender.fd()), "nothing held, nothing sent");
            assertReceived(receiver, List.of(sent.get(0), sent.get(2), sent.get(3)));
        }
    }

    private static final int SO_NO_CHECK = 11;

    private static DatagramChannel receiver() throws IOException {
        DatagramChannel receiver = DatagramChannel.open(StandardProtocolFamily.INET);
        receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
        receiver.bind(new InetSocketAddress("127.0.0.1", 0));
        return receiver;
    }

    /** Adds a datagram of each size, its bytes telling it apart (alternately heap and direct). */
    private static List<byte[]> addAll(SendBatch batch, int[] sizes) {
        List<byte[]> added = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            byte[] bytes = new byte[sizes[i]];
            for (int j = 0; j < bytes.length; j++) {
                bytes[j] = (byte) (i * 31 + j);
            }
            ByteBuffer buffer = i % 2 == 0 ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            assertTrue(batch.add(buffer.asReadOnlyBuffer()));
            assertEquals(bytes.length, buffer.remaining(), "add does not move the buffer");
            added.add(bytes);
        }
        return added;
    }

    /** The datagrams that arrive (blocking, 5 s each at most), then that nothing more does. */
    private static void assertReceived(DatagramChannel receiver, List<byte[]> expected) throws IOException {
        receiver.socket().setSoTimeout(5000);
        java.net.DatagramSocket socket = receiver.socket();
        for (int i = 0; i < expected.size(); i++) {
            java.net.DatagramPacket packet = new java.net.DatagramPacket(new byte[70000], 70000);
            socket.receive(packet);
            assertArrayEquals(expected.get(i), java.util.Arrays.copyOf(packet.getData(), packet.getLength()),
                    "datagram #" + i + " (" + expected.get(i).length + " bytes)");
        }
        receiver.configureBlocking(false);
        assertEquals(null, receiver.receive(ByteBuffer.allocate(70000)), "nothing more arrived");
    }
}
