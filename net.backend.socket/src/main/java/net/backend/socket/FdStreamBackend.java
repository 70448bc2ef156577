package net.backend.socket;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import net.api.IoRegistration;
import net.api.NetClientContext;
import net.api.NetException;
import net.posix.FdChannel;

/**
 * An inherited, already connected stream socket ({@code socket,fd=} of a stream socket,
 * {@code stream,server=off,addr.type=fd}). When the peer goes, the netdev stays unconnected:
 * there is nothing to listen on or reconnect to, as in QEMU.
 */
final class FdStreamBackend extends StreamBackend {

    private FdStreamBackend(NetClientContext context, ConnectionReporter reporter) {
        super(context, reporter, false);
    }

    /**
     * @param context  the netdev
     * @param channel  the adopted descriptor (closed here on failure)
     * @param reporter the netdev type's texts and events
     * @return the running backend
     * @throws NetException when the descriptor cannot be watched or is no connected socket
     */
    static FdStreamBackend open(NetClientContext context, FdChannel channel, ConnectionReporter reporter)
            throws NetException {
        FdStreamBackend backend = new FdStreamBackend(context, reporter);
        IoRegistration registration = null;
        try {
            registration = context.loop().register(channel.fd(), SelectionKey.OP_READ, backend::connectionReady);
            SocketAddress remote = channel.remoteAddress();
            // A socketpair's peer has no name: show it as an empty unix path.
            backend.connected(channel, registration, remote != null ? remote : UnixDomainSocketAddress.of(""));
            return backend;
        } catch (IOException e) {
            if (registration != null) {
                registration.cancel();
            }
            Sockets.closeQuietly(channel);
            throw NetException.generic("%s: can't use file descriptor %d: %s", context.id(), channel.fd(),
                    Sockets.reason(e));
        }
    }

    @Override
    protected void disconnected() {
        // Nobody to wait for: the info string says the connection is gone.
    }
}
