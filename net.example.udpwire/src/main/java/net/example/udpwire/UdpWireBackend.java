package net.example.udpwire;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetEventLoop;
import net.api.NetException;
import net.driverkit.PacketClient;
import net.driverkit.PacketWire;

/**
 * What is udpwire's own in an open {@code udpwire} netdev: a non-blocking UDP socket, one frame per
 * datagram. {@link PacketClient} makes the netdev's client of it (the read loop, QEMU's flow
 * control, the {@code send-error} and {@code recv-error} counters). Every method runs on the
 * netdev's event loop; nothing here blocks or allocates per frame.
 */
final class UdpWireBackend implements PacketWire {

    private final DatagramChannel channel;
    private final InetSocketAddress remote;

    private UdpWireBackend(DatagramChannel channel, InetSocketAddress remote) {
        this.channel = channel;
        this.remote = remote;
    }

    /**
     * Binds the socket and starts reading.
     *
     * @param local   the address to bind
     * @param remote  where frames go
     * @param context the netdev's runtime side
     * @return the running client
     * @throws NetException when the socket cannot be bound or watched
     */
    static NetClient open(InetSocketAddress local, InetSocketAddress remote, NetClientContext context)
            throws NetException {
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(local.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            channel.configureBlocking(false);
            channel.bind(local);
        } catch (IOException e) {
            closeQuietly(channel);
            throw NetException.generic("can't bind ip=%s to socket: %s", HostPort.format(local), e.getMessage());
        }
        try {
            String info = "udpwire: local=" + HostPort.format((InetSocketAddress) channel.getLocalAddress())
                    + " remote=" + HostPort.format(remote);
            return PacketClient.start(context, new UdpWireBackend(channel, remote), NetClient.MAX_FRAME, info);
        } catch (IOException e) {
            closeQuietly(channel);
            throw NetException.generic("udpwire: %s", e.getMessage());
        }
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        if (channel.receive(into) == null) {
            return Read.NONE;
        }
        into.flip();
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        // 0: the socket's send buffer is full; the runtime keeps the frame until it is writable.
        return channel.send(frame, remote) == 0 ? Delivery.RETRY_LATER : Delivery.DELIVERED;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel, SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(DatagramChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing a UDP socket has nothing left to flush; there is nothing to report.
        }
    }
}
