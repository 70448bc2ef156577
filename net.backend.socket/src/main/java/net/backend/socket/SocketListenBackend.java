package net.backend.socket;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import net.api.IoRegistration;
import net.api.NetClientContext;
import net.api.NetException;
import net.driverkit.AcceptBackoff;
import net.posix.FdChannel;
import net.posix.Libc;

/**
 * The server side of {@code socket,listen=} and {@code stream,server=on}: QEMU's rule of one client
 * at a time. While a client is connected the listening socket is not watched (the next client
 * waits in the backlog); when it goes, its half-received frame is dropped and the next one is
 * accepted.
 */
final class SocketListenBackend extends StreamBackend {

    /** A JDK server socket, or an inherited listening descriptor. */
    private final Channel server;
    private final Path socketFile;
    /** What "a client is waiting" is to the loop: OP_ACCEPT for the JDK's channel, readable for a descriptor. */
    private final int acceptOps;
    private final AcceptBackoff backoff;
    private IoRegistration listening;
    private boolean closed;

    private SocketListenBackend(NetClientContext context, ConnectionReporter reporter, boolean keepAlive,
            Channel server, Path socketFile) {
        super(context, reporter, keepAlive);
        this.server = server;
        this.socketFile = socketFile;
        this.acceptOps = server instanceof FdChannel ? SelectionKey.OP_READ : SelectionKey.OP_ACCEPT;
        this.backoff = new AcceptBackoff(context.logger(), "listening socket");
    }

    /**
     * Binds and starts listening.
     *
     * @param context   the netdev
     * @param address   an IPv4/IPv6 address or a unix path
     * @param reporter  the netdev type's texts and events
     * @param keepAlive whether clients' sockets get SO_KEEPALIVE
     * @return the running backend
     * @throws NetException with QEMU's words when the socket cannot be bound
     */
    static SocketListenBackend open(NetClientContext context, SocketAddress address, ConnectionReporter reporter,
            boolean keepAlive) throws NetException {
        Path socketFile = address instanceof UnixDomainSocketAddress unix ? unix.getPath() : null;
        ServerSocketChannel server;
        try {
            server = ServerSocketChannel.open(socketFile != null ? StandardProtocolFamily.UNIX
                    : ((InetSocketAddress) address).getAddress() instanceof Inet6Address
                            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            server.configureBlocking(false);
        } catch (IOException e) {
            throw NetException.generic("can't create stream socket: %s", Sockets.reason(e));
        }
        try {
            if (socketFile != null) {
                removeStaleSocket(socketFile);
            } else {
                // A restarted Patchbay must get its port back while old connections sit in TIME_WAIT.
                server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            }
            server.bind(address, 1);
        } catch (IOException e) {
            Sockets.closeQuietly(server);
            throw NetException.generic("can't bind ip=%s to socket: %s", shown(address), Sockets.reason(e));
        }
        SocketListenBackend backend = new SocketListenBackend(context, reporter, keepAlive, server, socketFile);
        try {
            backend.listening = context.loop().register(server, SelectionKey.OP_ACCEPT, backend::acceptReady);
        } catch (IOException e) {
            backend.close();
            throw NetException.generic("can't listen on socket: %s", Sockets.reason(e));
        }
        return backend;
    }

    /**
     * Serves on an inherited listening socket ({@code stream,server=on,addr.type=fd}).
     *
     * @param context   the netdev
     * @param server    the adopted descriptor, already listening
     * @param reporter  the netdev type's texts and events
     * @param keepAlive whether clients' sockets get SO_KEEPALIVE
     * @return the running backend
     * @throws NetException when the descriptor is no listening socket or cannot be watched
     */
    static SocketListenBackend inherited(NetClientContext context, FdChannel server, ConnectionReporter reporter,
            boolean keepAlive) throws NetException {
        SocketListenBackend backend = new SocketListenBackend(context, reporter, keepAlive, server, null);
        try {
            if (server.intOption(Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN) == 0) {
                throw new IOException("not a listening socket");
            }
            backend.listening = context.loop().register(server.fd(), SelectionKey.OP_READ, backend::acceptReady);
        } catch (IOException e) {
            backend.close();
            throw NetException.generic("can't listen on file descriptor %d: %s", server.fd(), Sockets.reason(e));
        }
        return backend;
    }

    @Override
    protected void disconnected() {
        listening.interestOps(acceptOps);
    }

    @Override
    public void close() {
        closed = true;
        super.close();
        backoff.cancel();
        if (listening != null) {
            listening.cancel();
        }
        Sockets.closeQuietly(server);
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                context.logger().log(System.Logger.Level.WARNING, "cannot remove " + socketFile + ": " + Sockets.reason(e));
            }
        }
    }

    private void acceptReady(int readyOps) {
        ByteChannel client;
        try {
            client = acceptOne();
        } catch (IOException e) {
            // The client stays in the backlog, so the listener stays ready: pause, or it spins.
            context.counter("accept-error").increment();
            backoff.pause(context.loop(), listening, e, this::resumeAccepting);
            return;
        }
        if (client == null) {
            return;
        }
        backoff.accepted();
        try {
            IoRegistration registration = Sockets.register(context.loop(), client, SelectionKey.OP_READ,
                    this::connectionReady);
            // QEMU's rule: one client at a time; the next waits until this one goes.
            listening.interestOps(0);
            connected(client, registration, shown(client));
        } catch (IOException e) {
            Sockets.closeQuietly(client);
            context.counter("accept-error").increment();
            backoff.pause(context.loop(), listening, e, this::resumeAccepting);
        }
    }

    /** After a pause: watch for clients again, unless one is connected or the netdev closed. */
    private void resumeAccepting() {
        if (!closed && !isConnected()) {
            listening.interestOps(acceptOps);
        }
    }

    private ByteChannel acceptOne() throws IOException {
        if (server instanceof FdChannel fd) {
            return fd.accept();
        }
        SocketChannel client = ((ServerSocketChannel) server).accept();
        if (client != null) {
            client.configureBlocking(false);
        }
        return client;
    }

    /** A TCP client shows as its address; a unix client has none, so the server's path shows. */
    private SocketAddress shown(ByteChannel client) throws IOException {
        if (socketFile != null) {
            return UnixDomainSocketAddress.of(socketFile);
        }
        SocketAddress remote = Sockets.remoteAddress(client);
        if (remote instanceof InetSocketAddress || !(server instanceof FdChannel fd)) {
            return remote;
        }
        SocketAddress local = fd.localAddress();
        return local != null ? local : UnixDomainSocketAddress.of("");
    }

    /**
     * A unix socket file left by a server that is gone would make bind fail; one that answers
     * belongs to a live server and stays.
     */
    private static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            // Connected or in progress: someone listens there, so bind fails with "Address already in use".
        } catch (ConnectException e) {
            Files.deleteIfExists(path);
        }
    }

    private static String shown(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : address.toString();
    }
}
