package net.driverkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;
import net.posix.FdChannel;
import net.posix.SendBatch;

/**
 * A wire that {@linkplain PacketWire#gathers() gathers} over a connected datagram socket: frames
 * are kept in a {@link SendBatch} (no GSO: the socket may be AF_UNIX) and sent by {@link #flush()}.
 * It counts its flushes that sent something, for the test to see frames leave together.
 */
final class BatchWire implements PacketWire {

    private final FdChannel channel;
    private final SendBatch batch;
    private boolean stalled;
    volatile int sends;

    BatchWire(FdChannel channel) throws IOException {
        this.channel = channel;
        this.batch = new SendBatch(false);
        batch.target(null);
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
    public Delivery write(ByteBuffer frame) {
        return !stalled && batch.add(frame) ? Delivery.DELIVERED : Delivery.RETRY_LATER;
    }

    @Override
    public boolean gathers() {
        return true;
    }

    @Override
    public boolean flush() throws IOException {
        sends += batch.sendAll(channel.fd());
        stalled = batch.size() > 0;
        return !stalled;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel.fd(), SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        channel.close();
        batch.close();
    }
}
