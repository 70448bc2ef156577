package net.driverkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;

/**
 * A backend of the shape {@link FramePump}'s documentation shows, reading a UDP channel: what a
 * driver that uses the pump alone writes. Instead of writing them out, it notes the test frames it
 * is given by number, and what each {@link FramePump#forward} answered.
 */
final class PumpBackend implements NetClient {

    final NetClientContext context;
    final FramePump pump;
    final IoRegistration registration;
    /** The sequence numbers of the test frames it was given. */
    final List<Integer> received = new CopyOnWriteArrayList<>();
    final List<Boolean> forwarded = new CopyOnWriteArrayList<>();
    private final DatagramChannel channel;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_FRAME);

    PumpBackend(NetClientContext context, DatagramChannel channel) throws IOException {
        this.context = context;
        this.channel = channel;
        this.pump = new FramePump(context);
        this.registration = context.loop().register(channel, SelectionKey.OP_READ, this::ready);
        pump.watch(registration);
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        received.add(frame.getInt(frame.position() + 14)); // after the MAC addresses and the ethertype
        return Delivery.DELIVERED;
    }

    @Override
    public boolean canReceive() {
        return pump.canReceive();
    }

    @Override
    public String info() {
        return "pump";
    }

    @Override
    public void close() {
        registration.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to flush
        }
    }

    private void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            pump.writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            try {
                while (channel.receive(rx.clear()) != null) {
                    boolean on = pump.forward(rx.flip());
                    forwarded.add(on);
                    if (!on) {
                        return;
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
