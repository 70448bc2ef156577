package net.backend.l2tpv3;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import net.posix.FdChannel;
import net.posix.Libc;

/**
 * The test's end of a tunnel: a plain UDP socket or a raw protocol-115 socket that sends packets
 * the test writes byte by byte and receives what the netdev sends (its L2TPv3 part; an IPv4
 * header is cut off).
 */
abstract sealed class WirePeer implements AutoCloseable {

    /** A tunnel's two ends for one test. */
    enum Mode {
        UDP4(true, false, "127.0.0.1", "127.0.0.2"),
        UDP6(true, true, "::1", "::1"),
        IP4(false, false, "127.0.0.1", "127.0.0.2"),
        IP6(false, true, "::1", "::1");

        final boolean udp;
        final boolean ipv6;
        /** The netdev's address. */
        final String netdevAddress;
        /** The test's address. */
        final String peerAddress;

        Mode(boolean udp, boolean ipv6, String netdevAddress, String peerAddress) {
            this.udp = udp;
            this.ipv6 = ipv6;
            this.netdevAddress = netdevAddress;
            this.peerAddress = peerAddress;
        }

        /** @return the netdev's address options (without sessions or cookies) facing a peer at {@code peerPort} */
        String netdevOptions(int netdevPort, int peerPort) {
            String o = "src=" + netdevAddress + ",dst=" + peerAddress + (ipv6 ? ",ipv6=on" : "");
            return udp ? o + ",udp=on,srcport=" + netdevPort + ",dstport=" + peerPort : o;
        }
    }

    /** @return the peer for the mode, bound at its address (and port, for UDP) */
    static WirePeer open(Mode mode, int peerPort, int netdevPort) throws IOException {
        InetAddress self = InetAddress.ofLiteral(mode.peerAddress);
        InetAddress netdev = InetAddress.ofLiteral(mode.netdevAddress);
        if (mode.udp) {
            return new Udp(new InetSocketAddress(self, peerPort), new InetSocketAddress(netdev, netdevPort));
        }
        return new Raw(mode.ipv6, new InetSocketAddress(self, 0), new InetSocketAddress(netdev, 0));
    }

    /** Sends one packet (its L2TPv3 part). */
    abstract void send(byte[] packet) throws IOException;

    /**
     * @param firstWord only a packet whose first 4 bytes are these is returned (raw sockets on one
     *                  host see every protocol-115 packet, the test's own included)
     * @return the next such packet, or null after {@code limit}
     */
    abstract byte[] receive(byte[] firstWord, Duration limit) throws IOException, InterruptedException;

    @Override
    public abstract void close();

    static final class Udp extends WirePeer {
        private final DatagramSocket socket;
        private final InetSocketAddress netdev;

        Udp(InetSocketAddress self, InetSocketAddress netdev) throws IOException {
            socket = new DatagramSocket(self);
            this.netdev = netdev;
        }

        @Override
        void send(byte[] packet) throws IOException {
            socket.send(new DatagramPacket(packet, packet.length, netdev));
        }

        @Override
        byte[] receive(byte[] firstWord, Duration limit) throws IOException {
            Instant deadline = Instant.now().plus(limit);
            byte[] buffer = new byte[70000];
            while (Instant.now().isBefore(deadline)) {
                socket.setSoTimeout((int) Math.max(1, Duration.between(Instant.now(), deadline).toMillis()));
                DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                byte[] packet = Arrays.copyOf(buffer, p.getLength());
                if (Arrays.equals(packet, 0, 4, firstWord, 0, 4)) {
                    return packet;
                }
            }
            return null;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static final class Raw extends WirePeer {
        private final FdChannel channel;
        private final boolean ipv4;

        Raw(boolean ipv6, InetSocketAddress self, InetSocketAddress netdev) throws IOException {
            channel = FdChannel.socket(ipv6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_RAW, 115);
            ipv4 = !ipv6;
            try {
                channel.bind(self);
                channel.connect(netdev);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        void send(byte[] packet) throws IOException {
            if (channel.send(ByteBuffer.wrap(packet), null) != packet.length) {
                throw new IOException("raw send took " + packet.length + " bytes only in part");
            }
        }

        @Override
        byte[] receive(byte[] firstWord, Duration limit) throws IOException, InterruptedException {
            Instant deadline = Instant.now().plus(limit);
            ByteBuffer buffer = ByteBuffer.allocate(70000);
            while (Instant.now().isBefore(deadline)) {
                buffer.clear();
                if (channel.receive(buffer) < 0) {
                    Thread.sleep(5);
                    continue;
                }
                buffer.flip();
                if (ipv4) {
                    buffer.position((buffer.get(0) & 0x0f) * 4);
                }
                byte[] packet = new byte[buffer.remaining()];
                buffer.get(packet);
                if (Arrays.equals(packet, 0, 4, firstWord, 0, 4)) {
                    return packet;
                }
            }
            return null;
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
