package ${package};

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetException;
import net.api.SendResult;
import net.api.SentCallback;

/**
 * One open {@value ${classPrefix}Driver#TYPE} netdev: a non-blocking UDP socket on the netdev's
 * event loop. The runtime calls every method on that one thread, so nothing here locks; nothing
 * blocks, and nothing allocates per frame.
 */
final class ${classPrefix}Backend implements NetClient {

    /** Datagrams read per wake-up, so a busy wire cannot starve the loop's other netdevs. */
    private static final int READ_BUDGET = 64;

    private final NetClientContext context;
    private final DatagramChannel channel;
    private final InetSocketAddress remote;
    private final String info;
    /** Every datagram is read into this one buffer: the runtime copies what it has to keep. */
    private final ByteBuffer rxFrame = ByteBuffer.allocateDirect(MAX_FRAME);
    /** Called when a frame the peer queued has left its queue; one instance, not one per send. */
    private final SentCallback resumeReading = this::sent;
    /** Frames the socket refused: counted among the netdev's drops. */
    private final NetCounter sendErrors;
    /** Failed reads: no frame is lost to the netdev's peer, so a driver counter, not a drop. */
    private final NetCounter recvErrors;
    private IoRegistration registration;
    /** receive() returned RETRY_LATER: the runtime holds frames until the socket has room. */
    private boolean waitingForRoom;

    private ${classPrefix}Backend(NetClientContext context, DatagramChannel channel, InetSocketAddress local,
            InetSocketAddress remote) {
        this.context = context;
        this.channel = channel;
        this.remote = remote;
        this.info = "${type}: local=" + format(local) + " remote=" + format(remote);
        this.sendErrors = context.dropCounter("send-error");
        this.recvErrors = context.counter("recv-error");
    }

    /**
     * Binds the socket and starts reading; called on the netdev's loop.
     *
     * @throws NetException when the socket cannot be bound or watched
     */
    static ${classPrefix}Backend open(InetSocketAddress local, InetSocketAddress remote, NetClientContext context)
            throws NetException {
        DatagramChannel channel = null;
        try {
            channel = DatagramChannel.open(local.getAddress() instanceof Inet4Address
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            channel.configureBlocking(false);
            channel.bind(local);
        } catch (IOException e) {
            closeQuietly(channel);
            throw NetException.generic("can't bind ip=%s to socket: %s", format(local), e.getMessage());
        }
        try {
            var backend = new ${classPrefix}Backend(context, channel, (InetSocketAddress) channel.getLocalAddress(),
                    remote);
            backend.registration = context.loop().register(channel, SelectionKey.OP_READ, backend::ready);
            return backend;
        } catch (IOException e) {
            closeQuietly(channel);
            throw NetException.generic("${type}: %s", e.getMessage());
        }
    }

    /** A frame from the peer, for the wire. The buffer is read-only and valid during the call only. */
    @Override
    public Delivery receive(ByteBuffer frame) {
        try {
            if (channel.send(frame, remote) > 0) {
                return Delivery.DELIVERED;
            }
        } catch (IOException e) {
            context.ioFailed(sendErrors, "send failed: " + e.getMessage());
            return Delivery.DROPPED;
        }
        // The socket's buffer is full. The runtime keeps this frame, and every later one, until
        // receiveReady(): that comes when the loop reports the socket writable (see ready).
        waitingForRoom = true;
        registration.interestOps(registration.interestOps() | SelectionKey.OP_WRITE);
        return Delivery.RETRY_LATER;
    }

    @Override
    public boolean canReceive() {
        return !waitingForRoom;
    }

    @Override
    public String info() {
        return info;
    }

    @Override
    public void close() {
        closeQuietly(channel); // the runtime cancels the registration itself
    }

    /** The loop's I/O callback: the socket is readable, or writable again. */
    private void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && waitingForRoom) {
            waitingForRoom = false;
            registration.interestOps(registration.interestOps() & ~SelectionKey.OP_WRITE);
            context.receiveReady(); // the runtime hands over what it kept, in order
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readFrames();
        }
    }

    /** Frames from the wire, for the peer. */
    private void readFrames() {
        for (int i = 0; i < READ_BUDGET; i++) {
            rxFrame.clear();
            try {
                if (channel.receive(rxFrame) == null) {
                    return; // nothing more to read
                }
            } catch (IOException e) {
                context.ioFailed(recvErrors, "receive failed: " + e.getMessage());
                return;
            }
            rxFrame.flip();
            if (context.send(rxFrame, resumeReading) == SendResult.QUEUED) {
                // The peer keeps a copy until it can take it: read nothing more until then.
                context.pauseReading();
                return;
            }
        }
    }

    /**
     * A frame the peer queued has left its queue: delivered, or purged (length 0) because the peer
     * went away. Either way, read again. It never comes after {@link #close()}.
     */
    private void sent(int length) {
        context.resumeReading();
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeQuietly(DatagramChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // A UDP socket has nothing to flush: there is nothing to report.
        }
    }
}
