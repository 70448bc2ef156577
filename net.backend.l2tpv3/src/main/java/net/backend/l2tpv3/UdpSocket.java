package net.backend.l2tpv3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/** UDP encapsulation (RFC 3931 §4.1.2.1) on a JDK datagram channel. */
final class UdpSocket implements TunnelSocket {

    private final DatagramChannel channel;
    /** Header and frame for the gathering write; the frame slot is cleared after each send. */
    private final ByteBuffer[] gather = new ByteBuffer[2];

    private UdpSocket(DatagramChannel channel) {
        this.channel = channel;
    }

    /**
     * @param ipv6 the address family
     * @return a non-blocking UDP socket
     * @throws IOException when the socket cannot be created
     */
    static UdpSocket open(boolean ipv6) throws IOException {
        DatagramChannel channel = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return new UdpSocket(channel);
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        channel.bind(local);
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        channel.connect(remote);
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel, SelectionKey.OP_READ, handler);
    }

    @Override
    public boolean receive(ByteBuffer into) throws IOException {
        if (channel.receive(into) == null) {
            return false;
        }
        into.flip();
        return true;
    }

    @Override
    public boolean send(ByteBuffer header, ByteBuffer frame) throws IOException {
        gather[0] = header;
        gather[1] = frame;
        try {
            // A datagram goes whole or not at all: 0 means the send buffer is full.
            return channel.write(gather) > 0;
        } finally {
            gather[1] = null;
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // The socket is gone either way.
        }
    }
}
