package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import net.api.NetClient;
import net.posix.FdChannel;
import net.testlib.Await;

/** A plain Java peer speaking QEMU's stream framing over a TCP socket, with bounded waits. */
final class Peer implements AutoCloseable {

    final Socket socket;
    final DataInputStream in;
    final DataOutputStream out;
    private final java.io.Closeable channel;

    Peer(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
        this.channel = socket;
    }

    /** A peer on a connected blocking channel (a unix socket); reads are not time-bounded here. */
    Peer(java.nio.channels.SocketChannel channel) {
        this.socket = null;
        this.in = new DataInputStream(java.nio.channels.Channels.newInputStream(channel));
        this.out = new DataOutputStream(java.nio.channels.Channels.newOutputStream(channel));
        this.channel = channel;
    }

    /** Connects, retrying while the netdev is not listening yet. */
    static Peer connect(int port) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
        while (true) {
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return new Peer(s);
            } catch (IOException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }

    void send(byte[] frame) throws IOException {
        out.writeInt(frame.length);
        out.write(frame);
        out.flush();
    }

    byte[] receive() throws IOException {
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return frame;
    }

    /** @return true when the netdev closed the connection within the socket timeout */
    boolean closedByNetdev() throws IOException {
        InputStream s = socket.getInputStream();
        try {
            return s.read() < 0;
        } catch (java.net.SocketException e) {
            return true; // reset by the netdev
        }
    }

    /**
     * Frames of three sizes up to the largest, both ways between a datagram socket outside the
     * runtime and this peer: through the netdev the socket talks to, and the hub this peer is on.
     *
     * @param to the netdev's address, or null when {@code far} is connected to it
     */
    void datagramRoundTrip(FdChannel far, SocketAddress to) throws Exception {
        for (int size : new int[] {60, 9000, NetClient.MAX_FRAME}) {
            byte[] frame = frame(size, size);
            far.send(ByteBuffer.wrap(frame), to);
            assertArrayEquals(frame, receive(), "into the hub, size " + size);
            send(frame(size, 1));
            assertArrayEquals(frame(size, 1), datagram(far), "out of the netdev, size " + size);
        }
    }

    /** @return the next datagram on a socket outside the runtime, waited for */
    static byte[] datagram(FdChannel channel) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(NetClient.MAX_FRAME + 1);
        Await.until(() -> channel.receive(in) >= 0, "a datagram out of the netdev");
        return Arrays.copyOf(in.array(), in.position());
    }

    /** A frame with a recognisable pattern: byte i is (seed + i). */
    static byte[] frame(int length, int seed) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seed + i);
        }
        return f;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
