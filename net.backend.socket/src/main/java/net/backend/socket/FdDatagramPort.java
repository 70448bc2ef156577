package net.backend.socket;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.file.Files;
import java.nio.file.Path;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetEventLoop;
import net.posix.FdChannel;

/**
 * A datagram socket the JDK has no channel for: AF_UNIX datagrams ({@code dgram} with unix
 * addresses) or an inherited descriptor.
 *
 * @param channel   the socket
 * @param remote    where frames go, or null when the socket is connected (an inherited one)
 * @param boundPath the unix path this netdev bound and removes on close, or null
 */
record FdDatagramPort(FdChannel channel, SocketAddress remote, Path boundPath) implements DatagramPort {

    @Override
    public boolean receive(ByteBuffer dst) throws IOException {
        return channel.receive(dst) >= 0;
    }

    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        return channel.send(frame, remote) != 0 || !frame.hasRemaining();
    }

    @Override
    public boolean reportsRoom() {
        return remote == null;
    }

    /**
     * Unix datagrams are limited by the socket buffer only (208 KiB by default), above any frame;
     * an inherited UDP socket refuses what UDP cannot carry itself (counted as a send error).
     */
    @Override
    public int maxDatagram() {
        return NetClient.MAX_FRAME;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel.fd(), SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        channel.close();
        if (boundPath != null) {
            try {
                Files.deleteIfExists(boundPath);
            } catch (IOException e) {
                // A socket file left behind is unlinked by the next bind to that path.
            }
        }
    }
}
