package net.backend.socket;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import net.api.IoRegistration;
import net.api.NetClientContext;
import net.api.NetException;

/**
 * The server side of {@code socket,listen=} and {@code stream,server=on}: QEMU's rule of one client
 * at a time. While a client is connected the listening socket is not watched (the next client
 * waits in the backlog); when it goes, its half-received frame is dropped and the next one is
 * accepted.
 */
final class SocketListenBackend extends StreamBackend {

    private final ServerSocketChannel server;
    private final Path socketFile;
    private IoRegistration listening;

    private SocketListenBackend(NetClientContext context, ConnectionReporter reporter, boolean keepAlive,
            ServerSocketChannel server, Path socketFile) {
        super(context, reporter, keepAlive);
        this.server = server;
        this.socketFile = socketFile;
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

    @Override
    protected void disconnected() {
        listening.interestOps(SelectionKey.OP_ACCEPT);
    }

    @Override
    public void close() {
        super.close();
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
        SocketChannel client;
        try {
            client = server.accept();
        } catch (IOException e) {
            context.counter("accept-error").increment();
            context.logger().log(System.Logger.Level.WARNING, "accept failed: " + Sockets.reason(e));
            return;
        }
        if (client == null) {
            return;
        }
        try {
            client.configureBlocking(false);
            IoRegistration registration = context.loop().register(client, SelectionKey.OP_READ, this::connectionReady);
            // QEMU's rule: one client at a time; the next waits until this one goes.
            listening.interestOps(0);
            SocketAddress remote = client.getRemoteAddress();
            connected(client, registration, socketFile != null ? UnixDomainSocketAddress.of(socketFile) : remote);
        } catch (IOException e) {
            Sockets.closeQuietly(client);
            listening.interestOps(SelectionKey.OP_ACCEPT);
            context.counter("accept-error").increment();
            context.logger().log(System.Logger.Level.WARNING, "cannot set up accepted connection: " + Sockets.reason(e));
        }
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
