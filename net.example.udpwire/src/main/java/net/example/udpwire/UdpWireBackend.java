package net.example.udpwire;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.driverkit.FramePump;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetException;

/**
 * One open {@code udpwire} netdev: a non-blocking UDP socket on the netdev's event loop. Every
 * method runs on that loop, so there are no locks; nothing here blocks or allocates per frame.
 */
final class UdpWireBackend implements NetClient {

    /** Datagrams read per wake-up, so a busy wire cannot starve the loop's other clients. */
    private static final int READ_BUDGET = 64;

    private final NetClientContext context;
    private final DatagramChannel channel;
    private final InetSocketAddress remote;
    private final String info;
    /** The one buffer every incoming datagram is read into; the runtime copies what it queues. */
    private final ByteBuffer rxFrame = ByteBuffer.allocateDirect(MAX_FRAME);
    /** Flow control both ways: reading pauses while the peer holds a frame, sending waits for room. */
    private final FramePump pump;
    private final NetCounter sendErrors;
    private final NetCounter recvErrors;

    private UdpWireBackend(NetClientContext context, DatagramChannel channel, InetSocketAddress local,
            InetSocketAddress remote) {
        this.context = context;
        this.channel = channel;
        this.remote = remote;
        this.info = "udpwire: local=" + HostPort.format(local) + " remote=" + HostPort.format(remote);
        this.pump = new FramePump(context);
        this.sendErrors = context.dropCounter("send-error");
        this.recvErrors = context.counter("recv-error");
    }

    /**
     * Binds the socket and starts reading.
     *
     * @param local   the address to bind
     * @param remote  where frames go
     * @param context the netdev's runtime side
     * @return the running backend
     * @throws NetException when the socket cannot be bound or watched
     */
    static UdpWireBackend open(InetSocketAddress local, InetSocketAddress remote, NetClientContext context)
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
            UdpWireBackend backend = new UdpWireBackend(context, channel,
                    (InetSocketAddress) channel.getLocalAddress(), remote);
            backend.pump.watch(context.loop().register(channel, SelectionKey.OP_READ, backend::ready));
            return backend;
        } catch (IOException e) {
            closeQuietly(channel);
            throw NetException.generic("udpwire: %s", e.getMessage());
        }
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        try {
            if (channel.send(frame, remote) == 0) {
                // The socket's send buffer is full: the runtime keeps the frame until it is writable.
                return pump.waitForWrite();
            }
            return Delivery.DELIVERED;
        } catch (IOException e) {
            context.ioFailed(sendErrors, "send failed: " + e.getMessage());
            return Delivery.DROPPED;
        }
    }

    @Override
    public boolean canReceive() {
        return pump.canReceive();
    }

    @Override
    public String info() {
        return info;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            pump.writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readFrames();
        }
    }

    private void readFrames() {
        for (int i = 0; i < READ_BUDGET; i++) {
            rxFrame.clear();
            try {
                if (channel.receive(rxFrame) == null) {
                    return;
                }
            } catch (IOException e) {
                context.ioFailed(recvErrors, "receive failed: " + e.getMessage());
                return;
            }
            rxFrame.flip();
            if (!pump.forward(rxFrame)) {
                return; // the peer queued the frame: reading resumes when it has left the queue
            }
        }
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
