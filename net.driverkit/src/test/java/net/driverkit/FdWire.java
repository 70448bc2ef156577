package net.driverkit;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;
import net.posix.FdChannel;

/**
 * A wire over a descriptor a test made (one end of a socket pair, a unix datagram socket): a
 * driver's own part at its plainest. It notes its life-cycle calls, and those of its registration,
 * in a list the test may share between wires.
 */
final class FdWire implements PacketWire {

    final String name;
    final FdChannel channel;
    private final SocketAddress target;
    private final boolean reportsRoom;
    private final boolean stopReadingOnFailure;
    final List<String> calls;

    /** A wire over a connected datagram socket, writes waiting for write readiness. */
    FdWire(FdChannel channel) {
        this("wire", channel, null, true, false, new CopyOnWriteArrayList<>());
    }

    /**
     * @param target               where frames go, or null on a connected socket
     * @param reportsRoom          {@link PacketWire#reportsRoom()}
     * @param stopReadingOnFailure {@link PacketWire#stopReadingOnFailure()}
     * @param calls                where life-cycle calls are noted, as {@code "close name"}
     */
    FdWire(String name, FdChannel channel, SocketAddress target, boolean reportsRoom, boolean stopReadingOnFailure,
            List<String> calls) {
        this.name = name;
        this.channel = channel;
        this.target = target;
        this.reportsRoom = reportsRoom;
        this.stopReadingOnFailure = stopReadingOnFailure;
        this.calls = calls;
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        if (channel.receive(into) < 0) {
            return Read.NONE;
        }
        into.flip();
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        return channel.send(frame, target) == 0 && frame.hasRemaining() ? Delivery.RETRY_LATER : Delivery.DELIVERED;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        IoRegistration registration = loop.register(channel.fd(), SelectionKey.OP_READ, handler);
        calls.add("register " + name);
        return new IoRegistration() {
            @Override
            public void interestOps(int ops) {
                registration.interestOps(ops);
            }

            @Override
            public int interestOps() {
                return registration.interestOps();
            }

            @Override
            public void cancel() {
                calls.add("cancel " + name);
                registration.cancel();
            }
        };
    }

    @Override
    public boolean reportsRoom() {
        return reportsRoom;
    }

    @Override
    public boolean stopReadingOnFailure() {
        return stopReadingOnFailure;
    }

    @Override
    public void close() {
        calls.add("close " + name);
        channel.close();
    }

    @Override
    public void release() {
        calls.add("release " + name);
    }
}
