package net.driverkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.api.NetClient;
import net.posix.FdChannel;
import net.posix.Libc;
import net.testlib.Await;

/** The real sockets of one test, closed with it: socket pairs, UDP channels on loopback, and reading their far ends. */
final class Sockets implements AutoCloseable {

    private final List<AutoCloseable> open = new ArrayList<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(NetClient.MAX_FRAME);

    /** @return a connected pair of AF_UNIX datagram sockets, non-blocking: [0] for a wire, [1] for the test */
    FdChannel[] pair() throws IOException {
        int[] fds = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        FdChannel near = FdChannel.adopt(fds[0]);
        FdChannel far = FdChannel.adopt(fds[1]);
        open.add(near);
        open.add(far);
        return new FdChannel[] {near, far};
    }

    /** @return a non-blocking UDP channel bound to a free port on 127.0.0.1 */
    DatagramChannel udp() throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        open.add(channel);
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return channel;
    }

    /** @param channel closed with the test */
    <T extends AutoCloseable> T closeLater(T channel) {
        open.add(channel);
        return channel;
    }

    /** @return the next datagram on a test's end of a pair, waiting for it (bounded) */
    byte[] receive(FdChannel far) throws Exception {
        scratch.clear();
        Await.until(() -> far.receive(scratch) >= 0, "a datagram on " + far);
        return copy();
    }

    /** @return the next datagram on a UDP channel, waiting for it (bounded) */
    byte[] receive(DatagramChannel channel) throws Exception {
        scratch.clear();
        Await.until(() -> channel.receive(scratch) != null, "a datagram on " + channel.getLocalAddress());
        return copy();
    }

    /**
     * Writes datagrams into {@code near} until the socket takes no more (its peer reads nothing).
     *
     * @return how many it took
     */
    int fill(FdChannel near, int size) throws IOException {
        ByteBuffer filler = ByteBuffer.allocateDirect(size);
        int n = 0;
        while (near.write(filler.clear()) > 0) {
            n++;
        }
        return n;
    }

    private byte[] copy() {
        scratch.flip();
        byte[] out = new byte[scratch.remaining()];
        scratch.get(out);
        return out;
    }

    static int seq(byte[] frame) {
        return ByteBuffer.wrap(frame).getInt(14);
    }

    static String seqs(List<byte[]> frames) {
        return Arrays.toString(frames.stream().mapToInt(Sockets::seq).toArray());
    }

    @Override
    public void close() {
        for (AutoCloseable c : open.reversed()) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing " + c, e);
            }
        }
    }
}
