package net.qmp.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import net.api.NetException;
import net.control.qmp.QmpClientInfo;
import net.control.qmp.QmpListener;
import net.driverkit.AcceptBackoff;
import net.posix.Poller;
import net.posix.UnixStream;

/**
 * A listening QMP socket: accepts clients on a virtual thread of its own and gives each its own
 * {@link QmpSession}. A TCP endpoint is a JDK channel; a unix one is a {@link UnixStream}, so its
 * clients can pass descriptors (SCM_RIGHTS), watched by a {@link Poller} of the endpoint's (one
 * platform thread), so that an idle client holds no platform thread either way. Closing it stops
 * accepting, disconnects its clients and removes its unix socket file.
 */
final class QmpEndpoint implements QmpListener {

    private static final int BACKLOG = 16;

    /** The TCP listener, or null. */
    private final ServerSocketChannel server;
    /** The unix listener, or null. */
    private final UnixStream unixServer;
    /** Watches the unix listener and its clients, or null. */
    private final Poller poller;
    private final String address;
    private final Path unixPath;
    private final QmpAddress limits;
    private final Function<SessionStart, QmpSession> sessions;
    private final Consumer<QmpEndpoint> onClose;
    private final System.Logger log;
    private final Set<QmpSession> clients = ConcurrentHashMap.newKeySet();
    private final AcceptBackoff backoff;
    private volatile boolean closed;

    /**
     * What a new session needs to know.
     *
     * @param connection the accepted connection
     * @param endpoint   this endpoint's address
     * @param peer       the client's address
     * @param maxQueued  bytes queued for the client before it is disconnected
     * @param onClose    to call when the session ends
     */
    record SessionStart(QmpConnection connection, String endpoint, String peer, long maxQueued,
            Consumer<QmpSession> onClose) {
    }

    private QmpEndpoint(ServerSocketChannel server, UnixStream unixServer, Poller poller, Path unixPath,
            QmpAddress limits,
            Function<SessionStart, QmpSession> sessions, Consumer<QmpEndpoint> onClose, System.Logger log)
            throws IOException {
        this.server = server;
        this.unixServer = unixServer;
        this.poller = poller;
        this.unixPath = unixPath;
        this.limits = limits;
        this.address = server != null ? QmpAddress.format(server.getLocalAddress())
                : unixPath != null ? QmpAddress.format(UnixDomainSocketAddress.of(unixPath))
                : QmpAddress.format(limits.socket());
        this.sessions = sessions;
        this.onClose = onClose;
        this.log = log;
        this.backoff = new AcceptBackoff(log, "QMP endpoint " + address);
    }

    /**
     * Binds and starts accepting.
     *
     * @param address  where
     * @param sessions makes the session of an accepted client (not started yet)
     * @param onClose  told once when the endpoint closes
     * @param log      where failures go
     * @return the open endpoint
     * @throws NetException {@code Failed to bind socket: REASON} as QEMU says it
     */
    static QmpEndpoint open(QmpAddress address, Function<SessionStart, QmpSession> sessions,
            Consumer<QmpEndpoint> onClose, System.Logger log) throws NetException {
        if (!address.server()) {
            return connect(address, sessions, onClose, log);
        }
        Path unixPath = address.unix() ? ((UnixDomainSocketAddress) address.socket()).getPath() : null;
        ServerSocketChannel server = null;
        UnixStream unixServer = null;
        Poller poller = null;
        try {
            QmpEndpoint endpoint;
            if (unixPath != null) {
                removeStaleSocket(unixPath);
                unixServer = UnixStream.listen(unixPath, BACKLOG);
                poller = Poller.start("qmp-poll " + QmpAddress.format(UnixDomainSocketAddress.of(unixPath)));
                unixServer.pollWith(poller);
                endpoint = new QmpEndpoint(null, unixServer, poller, unixPath, address, sessions, onClose, log);
            } else if (address.anyHost()) {
                // As QEMU: every interface of both families (one dual-stack socket where IPv6 is there).
                server = ServerSocketChannel.open();
                server.bind(new InetSocketAddress(((InetSocketAddress) address.socket()).getPort()), BACKLOG);
                endpoint = new QmpEndpoint(server, null, null, null, address, sessions, onClose, log);
            } else {
                server = ServerSocketChannel.open(((InetSocketAddress) address.socket()).getAddress() instanceof
                        java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                server.bind(address.socket(), BACKLOG);
                endpoint = new QmpEndpoint(server, null, null, null, address, sessions, onClose, log);
            }
            Thread.ofVirtual().name("qmp-accept " + endpoint.address).start(endpoint::accept);
            return endpoint;
        } catch (IOException e) {
            if (unixServer != null) {
                unixServer.close();
            }
            if (poller != null) {
                poller.close();
            }
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // the bind error is the one to report
                }
            }
            throw NetException.generic("Failed to bind socket: %s", e.getMessage());
        }
    }

    /**
     * QEMU's client mode: connects to a listening QMP client and serves it as its one session. The
     * endpoint stays, unconnected, once that session ends, as a QEMU chardev without
     * {@code reconnect} does.
     */
    private static QmpEndpoint connect(QmpAddress address, Function<SessionStart, QmpSession> sessions,
            Consumer<QmpEndpoint> onClose, System.Logger log) throws NetException {
        Poller poller = null;
        QmpConnection connection;
        try {
            if (address.unix()) {
                UnixStream stream = UnixStream.connect(((UnixDomainSocketAddress) address.socket()).getPath());
                try {
                    poller = Poller.start("qmp-poll " + address.target());
                    stream.pollWith(poller);
                } catch (IOException | RuntimeException e) {
                    stream.close();
                    throw e;
                }
                connection = QmpConnection.of(stream);
            } else {
                connection = QmpConnection.of(SocketChannel.open(address.socket()));
            }
        } catch (IOException e) {
            if (poller != null) {
                poller.close();
            }
            throw NetException.generic("Failed to connect to '%s': %s", address.target(), e.getMessage());
        }
        QmpEndpoint endpoint;
        try {
            endpoint = new QmpEndpoint(null, null, poller, null, address, sessions, onClose, log);
        } catch (IOException e) {
            connection.close();
            throw NetException.generic("Failed to connect to '%s': %s", address.target(), e.getMessage());
        }
        endpoint.serve(connection, address.target());
        return endpoint;
    }

    /**
     * QEMU unlinks the path before binding. Patchbay removes only a leftover socket nobody answers
     * on: a live one belongs to another server (say, a second Patchbay in the same directory), and
     * taking it over would cut that server's clients off from it.
     */
    private static void removeStaleSocket(Path path) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("Address already in use");
            } catch (java.net.ConnectException e) {
                Files.delete(path); // nobody listens: a leftover of a server that died
            }
        }
    }

    @Override
    public String address() {
        return address;
    }

    /** @return the clients connected now */
    List<QmpClientInfo> clients() {
        return clients.stream().map(QmpSession::info).toList();
    }

    /** @return the sessions of the clients connected now */
    List<QmpSession> sessions() {
        return List.copyOf(clients);
    }

    /** @param event an event message, serialised, for every negotiated client of this endpoint */
    void event(byte[] event) {
        clients.forEach(c -> c.event(event));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (unixServer != null) {
            unixServer.close();
        } else if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                log.log(System.Logger.Level.WARNING, "closing QMP endpoint " + address + ": " + e.getMessage());
            }
        }
        clients.forEach(QmpSession::close);
        if (poller != null) {
            poller.close(); // after the clients: a session that closes later fails its waits at once
        }
        if (unixPath != null) {
            try {
                Files.deleteIfExists(unixPath);
            } catch (IOException e) {
                log.log(System.Logger.Level.WARNING, "removing " + unixPath + ": " + e.getMessage());
            }
        }
        onClose.accept(this);
    }

    private void accept() {
        while (!closed) {
            QmpConnection connection;
            String peer;
            try {
                if (unixServer != null) {
                    connection = QmpConnection.of(unixServer.accept());
                    backoff.accepted();
                    peer = unixPath.toString();
                } else {
                    SocketChannel channel = server.accept();
                    backoff.accepted();
                    connection = QmpConnection.of(channel);
                    peer = peerOf(channel);
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // No descriptor free, say: the endpoint and its clients stay; accepting resumes
                // once the pause is over, as often as it fails (see AcceptBackoff).
                if (!pause(backoff.failed(e))) {
                    return;
                }
                continue;
            }
            if (clients.size() >= limits.maxClients()) {
                // Each client costs buffers and two virtual threads: beyond the limit the newest is turned away.
                log.log(System.Logger.Level.WARNING, "QMP endpoint " + address + " refused a client: "
                        + limits.maxClients() + " are connected");
                connection.close();
                continue;
            }
            serve(connection, peer);
        }
    }

    /** Starts a session; a failure to (say, no thread to be had) loses this client only. */
    private void serve(QmpConnection connection, String peer) {
        QmpSession session = null;
        try {
            session = sessions.apply(new SessionStart(connection, address, peer, limits.maxQueued(), clients::remove));
            clients.add(session);
            // A close racing with this accept must not leave the new client behind.
            if (closed) {
                session.close();
            } else {
                session.start();
            }
        } catch (Throwable t) {
            log.log(System.Logger.Level.ERROR, "QMP endpoint " + address + " could not serve a client: " + t);
            if (session != null) {
                session.close();
            } else {
                connection.close();
            }
        }
    }

    /** @return false when the accepting thread was interrupted */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String peerOf(SocketChannel channel) {
        try {
            if (channel.getRemoteAddress() instanceof InetSocketAddress inet) {
                return QmpAddress.format(inet).substring("tcp:".length());
            }
        } catch (IOException e) {
            // fall through: the endpoint names the client well enough
        }
        return address;
    }
}
