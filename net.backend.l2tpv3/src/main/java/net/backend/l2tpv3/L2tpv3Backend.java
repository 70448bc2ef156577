package net.backend.l2tpv3;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.EnumMap;
import java.util.Map;
import net.api.Delivery;
import net.driverkit.FramePump;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;

/**
 * One {@code l2tpv3} netdev: frames from the peer go out with the session's header, packets from
 * the tunnel are checked and their frames sent to the peer. Flow control as QEMU's: a frame the
 * peer queues stops reading until it leaves the queue; a full send buffer makes the runtime keep
 * frames until the socket is writable again.
 */
final class L2tpv3Backend implements NetClient {

    /** Packets read per wake-up, so a busy tunnel cannot starve the loop's other clients (QEMU: 64). */
    static final int READ_BUDGET = 64;
    /** The largest IP packet, which bounds what a raw or UDP socket can deliver. */
    private static final int MAX_PACKET = 65536;

    /** QEMU's info text. */
    static final String INFO = "l2tpv3: connected";

    private final NetClientContext context;
    private final TunnelSocket socket;
    private final Encapsulation encapsulation;
    private final ByteBuffer rx = ByteBuffer.allocateDirect(MAX_PACKET);
    /** Flow control both ways: reading pauses while the peer holds a frame, sending waits for room. */
    private final FramePump pump;
    private final Map<Drop, NetCounter> drops = new EnumMap<>(Drop.class);
    private final NetCounter sendErrors;
    private final NetCounter recvErrors;
    private final NetCounter unreachable;
    private IoRegistration registration;
    private boolean headerFailureLogged;

    private L2tpv3Backend(NetClientContext context, TunnelSocket socket, Session session) {
        this.context = context;
        this.socket = socket;
        this.encapsulation = new Encapsulation(session);
        this.pump = new FramePump(context);
        for (Drop drop : Drop.values()) {
            drops.put(drop, context.dropCounter(drop.counter));
        }
        this.sendErrors = context.dropCounter("send-error");
        this.recvErrors = context.counter("recv-error");
        this.unreachable = context.dropCounter("peer-unreachable");
    }

    /**
     * Starts the backend on a bound and connected socket.
     *
     * @return the running backend
     * @throws IOException when the loop cannot watch the socket
     */
    static L2tpv3Backend start(NetClientContext context, TunnelSocket socket, Session session) throws IOException {
        L2tpv3Backend backend = new L2tpv3Backend(context, socket, session);
        backend.registration = socket.register(context.loop(), backend::ready);
        backend.pump.watch(backend.registration);
        return backend;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        try {
            if (!socket.send(encapsulation.header(), frame)) {
                return pump.waitForWrite();
            }
            encapsulation.sent();
            return Delivery.DELIVERED;
        } catch (PortUnreachableException e) {
            // An earlier packet found no peer (ICMP); the peer may come up later.
            unreachable.increment();
            return Delivery.DROPPED;
        } catch (IOException e) {
            context.ioFailed(sendErrors, "send failed: " + e.getMessage());
            return Delivery.DROPPED;
        }
    }

    @Override
    public boolean canReceive() {
        return pump.canReceive();
    }

    @Override
    public String info() {
        return INFO;
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.cancel();
        }
        socket.close();
    }

    private void ready(int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0) {
            pump.writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readPackets();
        }
    }

    private void readPackets() {
        for (int i = 0; i < READ_BUDGET; i++) {
            rx.clear();
            try {
                if (!socket.receive(rx)) {
                    return;
                }
            } catch (PortUnreachableException e) {
                unreachable.increment();
                continue;
            } catch (IOException e) {
                context.ioFailed(recvErrors, "receive failed: " + e.getMessage());
                return;
            }
            Drop drop = encapsulation.check(rx);
            if (drop != null) {
                dropped(drop);
                continue;
            }
            if (!pump.forward(rx)) {
                return; // the peer queued the frame: reading resumes when it has left the queue
            }
        }
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
