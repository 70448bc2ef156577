package net.backend.socket;

import java.io.IOException;
import java.net.InetSocketAddress;
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
import net.driverkit.PacketClient;
import net.posix.Libc;
import net.posix.ReceiveBatch;
import net.posix.SendBatch;

/**
 * A datagram socket of net.posix: UDP unicast ({@code socket,udp=}, {@code dgram} inet), AF_UNIX
 * datagrams ({@code dgram} with unix addresses) or an inherited descriptor.
 *
 * <p>A UDP socket gathers the frames of one loop iteration and sends them with one
 * {@code sendmmsg}, each run of equal-size frames as one UDP GSO message (the receiver sees the
 * same datagrams), and receives with {@code recvmmsg}, up to a read budget of datagrams per call. A unix socket sends frame by frame: its kernel would take a GSO message as one
 * datagram, and an unconnected one says nothing about room.
 */
final class FdDatagramPort implements DatagramPort {

    private final FdChannel channel;
    /** Where frames go, or null when the socket is connected (an inherited one). */
    private final SocketAddress remote;
    /** The unix path this netdev bound and removes on close, or null. */
    private final Path boundPath;
    private final boolean udp;
    /** The frames gathered, made with the first (an idle netdev has none). */
    private SendBatch batch;
    /** The socket had no room for what the batch holds: take nothing more until it has gone. */
    private boolean stalled;
    /** The datagrams of the last receive, made with the first (an idle netdev has none). */
    private ReceiveBatch rx;
    /** The next of them to hand out, and how many there are. */
    private int next;
    private int received;
    /** The last receive left the socket empty. */
    private boolean drained;

    /**
     * @param channel   the socket
     * @param remote    where frames go, or null when the socket is connected
     * @param boundPath the unix path to remove on close, or null
     * @param udp       whether it is a UDP socket, whose frames are gathered
     */
    FdDatagramPort(FdChannel channel, SocketAddress remote, Path boundPath, boolean udp) {
        this.channel = channel;
        this.remote = remote;
        this.boundPath = boundPath;
        this.udp = udp;
    }

    /** A UDP socket takes up to a batch per {@code recvmmsg} and hands the datagrams out one by one. */
    @Override
    public boolean receive(ByteBuffer dst) throws IOException {
        if (!udp) {
            return channel.receive(dst) >= 0;
        }
        if (next == received) {
            if (drained) {
                // The last receive found fewer than a batch: the socket was empty, no call needed to
                // learn it again (the loop reports it readable when more arrive).
                drained = false;
                next = 0;
                received = 0;
                return false;
            }
            if (rx == null) {
                rx = new ReceiveBatch(PacketClient.READ_BUDGET, dst.remaining());
            }
            int n = rx.receive(channel.fd());
            if (n < 0) {
                throw Libc.error(-n);
            }
            next = 0;
            received = n;
            drained = n < rx.slots();
            if (n == 0) {
                drained = false;
                return false;
            }
        }
        rx.copy(next++, dst);
        return true;
    }

    @Override
    public boolean holdsDatagrams() {
        return next < received;
    }

    /** A UDP socket keeps the frame for {@link #flush()}; false when the batch is full or stalled. */
    @Override
    public boolean send(ByteBuffer frame) throws IOException {
        if (!udp) {
            return channel.send(frame, remote) != 0 || !frame.hasRemaining();
        }
        if (batch == null) {
            batch = new SendBatch(true);
            batch.target(remote);
        }
        return !stalled && batch.add(frame);
    }

    @Override
    public boolean gathers() {
        return udp;
    }

    @Override
    public boolean flush() throws IOException {
        if (batch != null) {
            batch.sendAll(channel.fd());
            stalled = batch.size() > 0;
        }
        return !stalled;
    }

    @Override
    public boolean reportsRoom() {
        return remote == null || udp;
    }

    /**
     * UDP's own limit for a UDP peer; unix datagrams are limited by the socket buffer only (208 KiB
     * by default), above any frame; an inherited UDP socket refuses what UDP cannot carry itself
     * (counted as a send error).
     */
    @Override
    public int maxDatagram() {
        return remote instanceof InetSocketAddress inet ? UdpPort.maxDatagram(inet) : NetClient.MAX_FRAME;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel.fd(), SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        channel.close();
        if (batch != null) {
            batch.close();
        }
        if (rx != null) {
            rx.close();
        }
        if (boundPath != null) {
            try {
                Files.deleteIfExists(boundPath);
            } catch (IOException e) {
                // A socket file left behind is unlinked by the next bind to that path.
            }
        }
    }
}
