package net.backend.socket;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;
import net.posix.FdChannel;
import net.posix.Libc;

/** Small helpers every backend of this bundle uses for its channels. */
final class Sockets {

    private Sockets() {
    }

    /** @param channel a channel to close, or null; a failure to close has nothing left to report */
    static void closeQuietly(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // The socket is gone either way; nothing waits on what it might have flushed.
        }
    }

    /**
     * @param e an I/O failure
     * @return its text as QEMU would print {@code strerror}, never null
     */
    static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Watches a connection, whichever kind of channel it is.
     *
     * @param loop       the netdev's loop
     * @param connection a JDK socket channel or an inherited descriptor
     * @return the registration
     * @throws IOException when it cannot be watched
     */
    static IoRegistration register(NetEventLoop loop, ByteChannel connection, int ops, IoHandler handler)
            throws IOException {
        return connection instanceof FdChannel fd ? loop.register(fd.fd(), ops, handler)
                : loop.register((SocketChannel) connection, ops, handler);
    }

    /**
     * @param connection a connected JDK socket channel or descriptor
     * @return the peer's address, or null when it has none (an unnamed unix socket)
     * @throws IOException when the socket cannot say
     */
    static SocketAddress remoteAddress(ByteChannel connection) throws IOException {
        return connection instanceof FdChannel fd ? fd.remoteAddress()
                : ((SocketChannel) connection).getRemoteAddress();
    }

    /**
     * One frame is one write: Nagle must not hold it back for the next. Keep-alive as asked.
     *
     * @param connection a TCP connection
     * @param keepAlive  whether to probe an idle peer
     * @throws IOException when the options cannot be set
     */
    static void tuneTcp(ByteChannel connection, boolean keepAlive) throws IOException {
        if (connection instanceof FdChannel fd) {
            fd.setIntOption(Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1);
            fd.setIntOption(Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, keepAlive ? 1 : 0);
        } else {
            SocketChannel channel = (SocketChannel) connection;
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
        }
    }
}
