package net.driverkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * A wire over a JDK UDP channel a test bound: frames go to {@code remote}, or to the connected
 * peer when it is null.
 */
record UdpWire(DatagramChannel channel, InetSocketAddress remote) implements PacketWire {

    @Override
    public Read read(ByteBuffer into) throws IOException {
        if (channel.receive(into) == null) {
            return Read.NONE;
        }
        into.flip();
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        int sent = remote == null ? channel.write(frame) : channel.send(frame, remote);
        return sent == 0 ? Delivery.RETRY_LATER : Delivery.DELIVERED;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel, SelectionKey.OP_READ, handler);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to flush
        }
    }
}
