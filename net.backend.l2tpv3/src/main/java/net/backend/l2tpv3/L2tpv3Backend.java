package net.backend.l2tpv3;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.driverkit.PacketClient;
import net.driverkit.PacketWire;

/**
 * What is l2tpv3's own in an {@code l2tpv3} netdev: frames from the peer go out with the session's
 * header, packets from the tunnel are checked and stripped to their frames. {@link PacketClient}
 * runs the rest as QEMU does: a frame the peer queues stops reading until it leaves the queue; a
 * full send buffer makes the runtime keep frames until the socket is writable again.
 */
final class L2tpv3Backend implements PacketWire {

    /** The largest IP packet, which bounds what a raw or UDP socket can deliver. */
    private static final int MAX_PACKET = 65536;

    /** QEMU's info text. */
    static final String INFO = "l2tpv3: connected";

    private final NetClientContext context;
    private final TunnelSocket socket;
    private final Encapsulation encapsulation;
    private final Map<Drop, NetCounter> drops = new EnumMap<>(Drop.class);
    private final NetCounter unreachable;
    private boolean headerFailureLogged;

    private L2tpv3Backend(NetClientContext context, TunnelSocket socket, Session session) {
        this.context = context;
        this.socket = socket;
        this.encapsulation = new Encapsulation(session);
        for (Drop drop : Drop.values()) {
            drops.put(drop, context.dropCounter(drop.counter));
        }
        this.unreachable = context.dropCounter("peer-unreachable");
    }

    /**
     * Starts the netdev on a bound and connected socket.
     *
     * @return the running client
     * @throws IOException when the loop cannot watch the socket
     */
    static NetClient start(NetClientContext context, TunnelSocket socket, Session session) throws IOException {
        return PacketClient.start(context, new L2tpv3Backend(context, socket, session), MAX_PACKET, INFO);
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        try {
            if (!socket.receive(into)) {
                return Read.NONE;
            }
        } catch (PortUnreachableException e) {
            unreachable.increment();
            return Read.DROPPED;
        }
        Drop drop = encapsulation.check(into);
        if (drop != null) {
            dropped(drop);
            return Read.DROPPED;
        }
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        try {
            if (!socket.send(encapsulation.header(), frame)) {
                return Delivery.RETRY_LATER;
            }
        } catch (PortUnreachableException e) {
            // An earlier packet found no peer (ICMP); the peer may come up later.
            unreachable.increment();
            return Delivery.DROPPED;
        }
        encapsulation.sent();
        return Delivery.DELIVERED;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return socket.register(loop, handler);
    }

    @Override
    public void close() {
        socket.close();
    }

    private void dropped(Drop drop) {
        drops.get(drop).increment();
        if (!headerFailureLogged) {
            headerFailureLogged = true;
            context.logger().log(System.Logger.Level.WARNING, "l2tpv3 header verification failed: " + drop.counter
                    + " (further drops are only counted)");
        }
    }
}
