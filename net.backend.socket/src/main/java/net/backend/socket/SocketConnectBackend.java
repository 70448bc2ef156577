package net.backend.socket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import net.api.IoRegistration;
import net.api.NetClientContext;
import net.api.NetEventLoop;
import net.api.NetException;

/**
 * The client side of {@code socket,connect=} and {@code stream,server=off}: a non-blocking connect,
 * and — when {@code reconnect} is set — a new attempt every interval after the connection failed
 * or closed, on a loop timer. Without it the netdev stays disconnected, as in QEMU.
 */
final class SocketConnectBackend extends StreamBackend {

    private final SocketAddress remote;
    private final long reconnectMillis;
    private SocketChannel pending;
    private IoRegistration pendingRegistration;
    private NetEventLoop.Cancellable retry;
    private boolean failureLogged;
    private boolean closed;

    private SocketConnectBackend(NetClientContext context, ConnectionReporter reporter, boolean keepAlive,
            SocketAddress remote, long reconnectMillis) {
        super(context, reporter, keepAlive);
        this.remote = remote;
        this.reconnectMillis = reconnectMillis;
    }

    /**
     * Starts connecting. A failure the kernel reports at once fails the netdev, as in QEMU; one
     * reported later leaves it disconnected (or retrying).
     *
     * @param context         the netdev
     * @param remote          an inet address or a unix path
     * @param reporter        the netdev type's texts and events
     * @param keepAlive       whether the socket gets SO_KEEPALIVE
     * @param reconnectMillis the retry interval, 0 for none
     * @return the running backend
     * @throws NetException {@code can't connect socket: REASON}
     */
    static SocketConnectBackend open(NetClientContext context, SocketAddress remote, ConnectionReporter reporter,
            boolean keepAlive, long reconnectMillis) throws NetException {
        SocketConnectBackend backend = new SocketConnectBackend(context, reporter, keepAlive, remote, reconnectMillis);
        try {
            backend.connect();
        } catch (IOException e) {
            backend.close();
            throw NetException.generic("can't connect socket: %s", Sockets.reason(e));
        }
        return backend;
    }

    @Override
    protected void disconnected() {
        scheduleRetry();
    }

    @Override
    public void close() {
        closed = true;
        if (retry != null) {
            retry.cancel();
            retry = null;
        }
        abandonPending();
        super.close();
    }

    private void connect() throws IOException {
        SocketChannel channel = SocketChannel.open(remote instanceof InetSocketAddress inet
                ? inet.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET
                : StandardProtocolFamily.UNIX);
        try {
            channel.configureBlocking(false);
            boolean done = channel.connect(remote);
            IoRegistration registration = context.loop().register(channel,
                    done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this::ready);
            if (done) {
                established(channel, registration);
            } else {
                pending = channel;
                pendingRegistration = registration;
            }
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            throw e;
        }
    }

    private void ready(int readyOps) {
        if (pending == null) {
            connectionReady(readyOps);
            return;
        }
        if ((readyOps & SelectionKey.OP_CONNECT) == 0) {
            return;
        }
        SocketChannel channel = pending;
        IoRegistration registration = pendingRegistration;
        try {
            if (!channel.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            abandonPending();
            failed(e);
            return;
        }
        pending = null;
        pendingRegistration = null;
        established(channel, registration);
    }

    private void established(SocketChannel channel, IoRegistration registration) {
        try {
            connected(channel, registration, remote);
            failureLogged = false;
        } catch (IOException e) {
            registration.cancel();
            Sockets.closeQuietly(channel);
            failed(e);
        }
    }

    private void failed(IOException e) {
        context.counter("connect-failed").increment();
        if (!failureLogged) {
            // One line per outage, not one per retry.
            failureLogged = true;
            context.logger().log(System.Logger.Level.WARNING, "connect to " + describe() + " failed: "
                    + Sockets.reason(e) + (reconnectMillis > 0 ? "; retrying every " + reconnectMillis + " ms" : ""));
        }
        setInfo(reporter.connectFailed());
        scheduleRetry();
    }

    private void scheduleRetry() {
        if (reconnectMillis > 0 && !closed) {
            retry = context.loop().schedule(this::retryNow, reconnectMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void retryNow() {
        retry = null;
        context.counter("reconnect").increment();
        try {
            connect();
        } catch (IOException e) {
            failed(e);
        }
    }

    private void abandonPending() {
        if (pendingRegistration != null) {
            pendingRegistration.cancel();
        }
        Sockets.closeQuietly(pending);
        pending = null;
        pendingRegistration = null;
    }

    private String describe() {
        return remote instanceof InetSocketAddress inet ? HostPort.format(inet) : remote.toString();
    }
}
