package net.chardev.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import net.api.IoRegistration;
import net.api.NetEventLoop;
import net.api.NetException;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.driverkit.AcceptBackoff;
import net.log.RepeatedLog;
import net.posix.FdChannel;
import net.posix.PosixException;

/**
 * One socket chardev: a listening socket that takes one client at a time, or a client that may
 * reconnect. It is made on a control thread; once a front end attaches, all its I/O runs on the
 * front end's loop, without blocking. With no front end nothing is read (the kernel holds what
 * arrives, as QEMU reads nothing for a chardev nobody uses).
 */
final class SocketChardev {

    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final SocketSpec spec;
    private final System.Logger log;
    private final SocketAddress address;
    private final FdChannel listener;
    /** A client that reconnects every second must not log a line every second. */
    private final RepeatedLog connectFailures;
    /** Changed under this object's lock: by the front end's loop, or by the control thread with no front end. */
    private FdChannel connection;
    private Port frontend;
    private volatile String filename;

    private SocketChardev(SocketSpec spec, System.Logger log, SocketAddress address, FdChannel listener,
            FdChannel connection) {
        this.spec = spec;
        this.log = log;
        this.address = address;
        this.listener = listener;
        this.connection = connection;
        this.connectFailures = new RepeatedLog(log, System.Logger.Level.WARNING);
        updateFilename();
    }

    /**
     * Listens or connects, as QEMU does when the chardev is created.
     *
     * @param log where failed reconnections and a waiting server are reported
     * @throws NetException QEMU's reason, without the {@code Failed to add chardev} prefix
     */
    static SocketChardev open(SocketSpec spec, System.Logger log) throws NetException {
        SocketAddress address = spec.address();
        if (spec.server()) {
            FdChannel listener;
            try {
                listener = Sockets.listen(address);
            } catch (IOException e) {
                throw NetException.generic("%s", e.getMessage());
            }
            SocketChardev chardev = new SocketChardev(spec, log, address, listener, null);
            if (spec.waitForClient()) {
                chardev.awaitFirstClient();
            }
            return chardev;
        }
        FdChannel connection = null;
        try {
            connection = Sockets.connect(address, CONNECT_TIMEOUT_MILLIS);
        } catch (PosixException e) {
            String reason = "Failed to connect to '" + spec.target() + "': " + e.getMessage();
            if (spec.reconnect() == 0) {
                throw NetException.generic("%s", reason);
            }
            log.log(System.Logger.Level.WARNING, "Unable to connect character device " + spec.id() + ": " + reason);
        }
        return new SocketChardev(spec, log, address, null, connection);
    }

    /** {@code server=on,wait=on}: QEMU holds its start-up until the first client connects. */
    private void awaitFirstClient() {
        log.log(System.Logger.Level.INFO, "Patchbay waiting for connection on: " + filename);
        AcceptBackoff backoff = new AcceptBackoff(log, "chardev " + spec.id());
        while (connection == null && Sockets.await(listener.fd(), true, -1)) {
            try {
                connection = listener.accept();
            } catch (IOException e) {
                try {
                    Thread.sleep(backoff.failed(e));
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        updateFilename();
    }

    String id() {
        return spec.id();
    }

    /** @return QEMU's {@code filename} in {@code query-chardev} */
    String filename() {
        return filename;
    }

    /** @return QEMU's {@code frontend-open}: a front end reads it (one that only writes, as filter-mirror, leaves it closed) */
    synchronized boolean frontendOpen() {
        return frontend != null && frontend.readInterest;
    }

    private void updateFilename() {
        FdChannel c = connection;
        String listen = spec.server() ? ",server=on" : "";
        if (c == null) {
            filename = "disconnected:" + (spec.unix() ? "unix:" + spec.path() : "tcp:" + local(listener, spec.target())) + listen;
        } else if (spec.unix()) {
            filename = "unix:" + (spec.server() ? spec.path() : "") + listen;
        } else {
            filename = "tcp:" + local(c, "") + listen + " <-> " + remote(c);
        }
    }

    private static String local(FdChannel channel, String otherwise) {
        try {
            return channel == null ? otherwise : hostPort(channel.localAddress());
        } catch (IOException e) {
            return otherwise;
        }
    }

    private static String remote(FdChannel channel) {
        try {
            return hostPort(channel.remoteAddress());
        } catch (IOException e) {
            return "";
        }
    }

    private static String hostPort(SocketAddress a) {
        return a instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : "";
    }

    /**
     * @throws NetException {@code Device 'ID' is in use}
     */
    synchronized ChardevPort attach(NetEventLoop loop, ChardevHandler handler) throws NetException {
        if (frontend != null) {
            throw NetException.generic("Device '%s' is in use", spec.id());
        }
        Port port = new Port(loop, handler);
        frontend = port;
        try {
            if (connection != null) {
                port.watchConnection();
                loop.execute(port::announceOpened);
            } else {
                port.waitForConnection(0);
            }
        } catch (IOException e) {
            frontend = null;
            port.cancel();
            throw NetException.generic("Device '%s' cannot be watched: %s", spec.id(), e.getMessage());
        }
        return port;
    }

    /** {@code chardev-remove}: only with no front end, so no loop uses the sockets. */
    synchronized void close() throws NetException {
        if (frontend != null) {
            throw NetException.generic("Chardev '%s' is busy", spec.id());
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
        if (listener != null) {
            listener.close();
        }
    }

    /** One front end's attachment; every method but the constructor runs on its loop. */
    private final class Port implements ChardevPort {

        private final NetEventLoop loop;
        private final ChardevHandler handler;
        private final AcceptBackoff backoff = new AcceptBackoff(log, "chardev " + spec.id());
        private IoRegistration listening;
        private IoRegistration watching;
        private IoRegistration connecting;
        private FdChannel pending;
        private NetEventLoop.Cancellable retry;
        private volatile boolean readInterest = true;
        private boolean writeWanted;
        private boolean closed;

        Port(NetEventLoop loop, ChardevHandler handler) {
            this.loop = loop;
            this.handler = handler;
        }

        @Override
        public String id() {
            return spec.id();
        }

        @Override
        public boolean isConnected() {
            return connection != null;
        }

        void watchConnection() throws IOException {
            watching = loop.register(connection.fd(), interest(), this::connectionReady);
        }

        private int interest() {
            return (readInterest ? SelectionKey.OP_READ : 0) | (writeWanted ? SelectionKey.OP_WRITE : 0);
        }

        /** No connection: a server listens, a reconnecting client tries again after {@code delay} seconds. */
        void waitForConnection(long delay) throws IOException {
            if (listener != null) {
                listening = loop.register(listener.fd(), SelectionKey.OP_READ, ops -> accept());
            } else if (spec.reconnect() > 0) {
                retry = loop.schedule(this::reconnect, delay, TimeUnit.SECONDS);
            }
        }

        void announceOpened() {
            if (!closed && connection != null) {
                handler.opened();
            }
        }

        private void accept() {
            FdChannel accepted;
            try {
                accepted = listener.accept();
            } catch (IOException e) {
                backoff.pause(loop, listening, e, () -> {
                    if (!closed && listening != null) {
                        listening.interestOps(SelectionKey.OP_READ);
                    }
                });
                return;
            }
            if (accepted != null) {
                backoff.accepted();
                listening.cancel();
                listening = null;
                established(accepted);
            }
        }

        private void reconnect() {
            retry = null;
            try {
                pending = Sockets.stream(address);
                if (pending.connect(address)) {
                    FdChannel c = pending;
                    pending = null;
                    established(c);
                } else {
                    connecting = loop.register(pending.fd(), SelectionKey.OP_WRITE, ops -> connectDone());
                }
            } catch (IOException e) {
                connectFailed(e.getMessage());
            }
        }

        private void connectDone() {
            connecting.cancel();
            connecting = null;
            FdChannel c = pending;
            pending = null;
            try {
                int error = c.intOption(net.posix.Libc.SOL_SOCKET, net.posix.Libc.SO_ERROR);
                if (error != 0) {
                    c.close();
                    connectFailed(net.posix.Libc.strerror(error));
                    return;
                }
            } catch (IOException e) {
                c.close();
                connectFailed(e.getMessage());
                return;
            }
            established(c);
        }

        private void connectFailed(String reason) {
            if (pending != null) {
                pending.close();
                pending = null;
            }
            connectFailures.log(() -> "Unable to connect character device " + spec.id() + ": Failed to connect to '"
                    + spec.target() + "': " + reason);
            retry = loop.schedule(this::reconnect, spec.reconnect(), TimeUnit.SECONDS);
        }

        private void established(FdChannel c) {
            synchronized (SocketChardev.this) {
                connection = c;
                updateFilename();
            }
            writeWanted = false;
            try {
                watchConnection();
            } catch (IOException e) {
                lost();
                return;
            }
            handler.opened();
        }

        private void connectionReady(int ops) {
            if (closed || connection == null) {
                return;
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && writeWanted) {
                writeWanted = false;
                watching.interestOps(interest());
                handler.writable();
            }
            if ((ops & SelectionKey.OP_READ) != 0 && readInterest && !closed && connection != null) {
                handler.readable();
            }
        }

        /** The connection ended: close it, tell the front end, and wait for the next one. */
        private void lost() {
            if (watching != null) {
                watching.cancel();
                watching = null;
            }
            synchronized (SocketChardev.this) {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                updateFilename();
            }
            try {
                waitForConnection(spec.reconnect());
            } catch (IOException e) {
                log.log(System.Logger.Level.ERROR, spec.id() + ": cannot listen again: " + e.getMessage());
            }
            loop.execute(() -> {
                if (!closed) {
                    handler.closed();
                }
            });
        }

        @Override
        public int read(ByteBuffer dst) {
            FdChannel c = connection;
            if (c == null) {
                return -1;
            }
            try {
                int n = c.read(dst);
                if (n >= 0) {
                    return n;
                }
            } catch (IOException e) {
                // reset by the peer and the like: QEMU disconnects alike
            }
            lost();
            return -1;
        }

        @Override
        public int write(ByteBuffer src) {
            FdChannel c = connection;
            if (c == null) {
                return -1;
            }
            int n;
            try {
                n = c.write(src);
            } catch (IOException e) {
                lost();
                return -1;
            }
            if (src.hasRemaining() && !writeWanted) {
                writeWanted = true;
                watching.interestOps(interest());
            }
            return n;
        }

        @Override
        public void readInterest(boolean on) {
            readInterest = on;
            if (watching != null) {
                watching.interestOps(interest());
            }
        }

        @Override
        public void disconnect() {
            if (!closed && connection != null) {
                lost();
            }
        }

        @Override
        public int descriptor() {
            FdChannel c = connection;
            return c == null ? -1 : c.fd();
        }

        void cancel() {
            for (IoRegistration r : new IoRegistration[] {listening, watching, connecting}) {
                if (r != null) {
                    r.cancel();
                }
            }
            listening = null;
            watching = null;
            connecting = null;
            backoff.cancel();
            if (retry != null) {
                retry.cancel();
                retry = null;
            }
            if (pending != null) {
                pending.close();
                pending = null;
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            cancel();
            synchronized (SocketChardev.this) {
                if (frontend == this) {
                    frontend = null;
                }
            }
        }
    }
}
