package net.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReceiveBatch} on a UDP socket that plain datagrams are sent to. */
@Timeout(30)
class ReceiveBatchTest {

    @Test
    void oneReceiveTakesUpToItsSlotsInOrderAndTellsACutDatagramsLength() throws IOException {
        try (FdChannel socket = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
                DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET);
                ReceiveBatch batch = new ReceiveBatch(4, 2000)) {
            socket.setIntOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF, 1 << 20);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            assertEquals(0, batch.receive(socket.fd()), "nothing waits");
            int[] sizes = {60, 1514, 3000, 1, 0, 2000};
            byte[][] sent = new byte[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                sent[i] = new byte[sizes[i]];
                Arrays.fill(sent[i], (byte) (i + 1));
                sender.send(ByteBuffer.wrap(sent[i]), socket.localAddress());
            }
            ByteBuffer frame = ByteBuffer.allocateDirect(2000);
            assertEquals(4, batch.receive(socket.fd()), "a receive fills its slots");
            for (int i = 0; i < 4; i++) {
                assertEquals(sizes[i], batch.length(i));
                frame.clear();
                batch.copy(i, frame);
                frame.flip();
                byte[] got = new byte[frame.remaining()];
                frame.get(got);
                // 3000 bytes do not fit a slot of 2000: cut there, the length says so.
                assertArrayEquals(Arrays.copyOf(sent[i], Math.min(sizes[i], 2000)), got, "datagram #" + i);
            }
            assertEquals(2, batch.receive(socket.fd()), "the rest");
            assertEquals(0, batch.length(0), "an empty datagram");
            assertEquals(2000, batch.length(1));
            assertEquals(0, batch.receive(socket.fd()));
        }
    }
}
