package net.backend.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.log.RepeatedLog;

/**
 * What the server and client sides of {@code socket} and {@code stream} share: at most one
 * {@link FramedConnection} at a time, the buffers it reuses, frames from the peer dropped (and
 * counted as {@code not-connected}) while there is none, and the info string.
 */
abstract class StreamBackend implements NetClient {

    /** The netdev. */
    protected final NetClientContext context;
    /** Its info strings and events. */
    protected final ConnectionReporter reporter;
    // Made with the first connection: a netdev that only listens holds no buffers.
    private StreamFramer framer;
    private StreamEncoder tx;
    private final NetCounter notConnected;
    private final NetCounter oversized;
    private final boolean keepAlive;
    private final RepeatedLog failures;
    private FramedConnection connection;
    private String info = "";

    /**
     * @param context   the netdev
     * @param reporter  its texts and events
     * @param keepAlive whether connections get SO_KEEPALIVE
     */
    protected StreamBackend(NetClientContext context, ConnectionReporter reporter, boolean keepAlive) {
        this.context = context;
        this.reporter = reporter;
        this.keepAlive = keepAlive;
        this.notConnected = context.dropCounter("not-connected");
        this.oversized = context.dropCounter("oversized");
        this.failures = new RepeatedLog(context.logger(), System.Logger.Level.WARNING);
    }

    /**
     * Makes a freshly connected channel the connection.
     *
     * @param channel      the connected, non-blocking channel or descriptor
     * @param registration its registration, whose handler calls {@link #connectionReady}
     * @param shown        the address the info string and event show
     * @throws IOException when the socket options cannot be set
     */
    protected final void connected(ByteChannel channel, IoRegistration registration, SocketAddress shown)
            throws IOException {
        SocketAddress remote = Sockets.remoteAddress(channel);
        if (remote instanceof InetSocketAddress) {
            Sockets.tuneTcp(channel, keepAlive);
        }
        String peer = remote instanceof InetSocketAddress inet ? HostPort.format(inet) : String.valueOf(shown);
        if (framer == null) {
            framer = new StreamFramer();
            tx = new StreamEncoder();
        }
        connection = new FramedConnection(context, channel, registration, framer, tx, this::connectionClosed, peer,
                failures);
        info = reporter.connected(context, shown);
        context.logger().log(System.Logger.Level.INFO, "connected: " + peer);
    }

    /** @param readyOps the ready set of the connection's channel */
    protected final void connectionReady(int readyOps) {
        if (connection != null) {
            connection.ready(readyOps);
        }
    }

    /** @return whether a connection is up */
    protected final boolean isConnected() {
        return connection != null;
    }

    /** @param text the info string until the next change */
    protected final void setInfo(String text) {
        info = text;
    }

    /** The connection is gone; the server waits for the next client, the client may reconnect. */
    protected abstract void disconnected();

    private void connectionClosed(boolean writeWasPending) {
        connection = null;
        info = reporter.disconnected(context);
        disconnected();
        if (writeWasPending) {
            // The runtime holds frames until receiveReady(); they are dropped now, counted as not-connected.
            context.receiveReady();
        }
    }

    @Override
    public final Delivery receive(ByteBuffer frame) {
        if (connection == null) {
            notConnected.increment();
            return Delivery.DROPPED;
        }
        if (frame.remaining() > MAX_FRAME) {
            oversized.increment();
            return Delivery.DROPPED;
        }
        return connection.write(frame);
    }

    @Override
    public final int receiveRun(ByteBuffer run) {
        return connection == null ? 0 : connection.writeRun(run);
    }

    @Override
    public final boolean canReceive() {
        return connection == null || connection.canWrite();
    }

    @Override
    public final String info() {
        return info;
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
