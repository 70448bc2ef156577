package net.backend.socket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * A UDP socket of the JDK's, sending every frame to a multicast group, one by one.
 *
 * @param channel the bound, non-blocking channel
 * @param remote  where frames go
 */
record UdpPort(DatagramChannel channel, InetSocketAddress remote) implements DatagramPort {

    /** The largest UDP payload over IPv4 (65535 - 20 - 8) and IPv6 (65535 - 8): a limit of UDP itself. */
    private static final int MAX_DATAGRAM_V4 = 65507;
    private static final int MAX_DATAGRAM_V6 = 65527;

    @Override
    public boolean receive(ByteBuffer dst) throws IOException {
        return channel.receive(dst) != null;
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        return channel.send(frame, remote) != 0;
    }

    @Override
    public boolean reportsRoom() {
        return true;
    }

    @Override
    public int maxDatagram() {
        return maxDatagram(remote);
    }

    /**
     * @param remote a UDP destination
     * @return the largest datagram UDP carries there
     */
    static int maxDatagram(InetSocketAddress remote) {
        return remote.getAddress() instanceof Inet6Address ? MAX_DATAGRAM_V6 : MAX_DATAGRAM_V4;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel, SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        Sockets.closeQuietly(channel);
    }
}
