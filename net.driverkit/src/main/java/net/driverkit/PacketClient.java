package net.driverkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;

/**
 * The net client of a backend that carries one frame per packet, made of its {@link PacketWire}s:
 * what QEMU's datagram, tap and l2tpv3 backends each write out again around their descriptor.
 * <ul>
 * <li>Reading: when a wire is readable, up to {@link #READ_BUDGET} packets are read into one
 * buffer and each frame is sent to the peer; a frame the peer queues pauses reading (every wire)
 * until it has left the queue. Packets a wire {@linkplain PacketWire#holdsPackets() holds} from a
 * batch are read on without waiting for readiness.</li>
 * <li>Writing: frames from the peer go out on the first wire; when it has no room the frame stays
 * with the runtime ({@link Delivery#RETRY_LATER}) and {@link #canReceive()} is false until the
 * wire is writable again (or, where write readiness means nothing, a short delay has passed). A
 * wire that {@linkplain PacketWire#gathers() gathers} keeps the frames of one loop iteration and
 * is flushed at its end (one system call for all of them); what its descriptor has no room for
 * it keeps, and the client waits for room the same way.</li>
 * <li>Counters: {@code send-error} (a drop) and {@code recv-error}, each failure logged only the
 * first time; the wire counts its own drops.</li>
 * <li>Closing: stops watching every wire, then closes them; {@link #release()} releases them.</li>
 * </ul>
 * Runs on the client's loop and allocates nothing per frame.
 *
 * <pre>{@code
 * // NetClientDriver.open, on the loop (net.example.udpwire's UdpWireBackend is a whole wire):
 * return PacketClient.start(context, new UdpWireBackend(channel, remote), NetClient.MAX_FRAME, info);
 * }</pre>
 */
public final class PacketClient implements NetClient {

    /** Packets read from a wire per wake-up, so a busy wire cannot starve the loop's other clients. */
    public static final int READ_BUDGET = 64;
    /** How soon a write is tried again on a wire whose write readiness says nothing about room. */
    static final long RETRY_MICROS = 500;

    private final NetClientContext context;
    private final PacketWire[] wires;
    private final IoRegistration[] registrations;
    private final String info;
    /** The one buffer every packet is read into; the runtime copies what it keeps. */
    private final ByteBuffer rx;
    /** Flow control both ways: reading pauses while the peer holds a frame, writing waits for room. */
    private final FramePump pump;
    private final NetCounter sendErrors;
    private final NetCounter recvErrors;
    /** The first wire is no longer watched: no write readiness will end a wait for room on it. */
    private boolean outputUnwatched;
    /** The first wire keeps frames to send them together (see {@link PacketWire#gathers()}). */
    private final boolean gathers;
    /** A field, not a lambda per frame. */
    private final Runnable flushGathered = this::flushGathered;
    private boolean flushScheduled;
    /** A field, not a lambda per wake-up. */
    private final Runnable readHeld = this::readHeld;

    private PacketClient(NetClientContext context, List<? extends PacketWire> wires, int bufferSize, String info) {
        if (wires.isEmpty()) {
            throw new IllegalArgumentException("a packet client needs a wire");
        }
        this.context = context;
        this.wires = wires.toArray(new PacketWire[0]);
        this.registrations = new IoRegistration[this.wires.length];
        this.info = info;
        this.rx = ByteBuffer.allocateDirect(bufferSize);
        this.pump = new FramePump(context, this::readHeldLater);
        this.sendErrors = context.dropCounter("send-error");
        this.recvErrors = context.counter("recv-error");
        this.gathers = this.wires[0].gathers();
    }

    /**
     * Starts a client of one wire. Call on the client's loop ({@code NetClientDriver.open}).
     *
     * @param context    the netdev's runtime side
     * @param wire       the wire
     * @param bufferSize room for the largest packet the wire reads, its headers included
     * @param info       the {@code info network} text
     * @return the running client, which owns the wire from now on
     * @throws IOException when the wire cannot be watched; the wire is still the caller's to close
     */
    public static PacketClient start(NetClientContext context, PacketWire wire, int bufferSize, String info)
            throws IOException {
        return start(context, List.of(wire), bufferSize, info);
    }

    /**
     * Starts a client of several wires, such as the queues of a multi-queue tap: every wire is read,
     * frames from the peer go out on the first.
     *
     * @param context    the netdev's runtime side
     * @param wires      the wires, at least one
     * @param bufferSize room for the largest packet a wire reads, its headers included
     * @param info       the {@code info network} text
     * @return the running client, which owns the wires from now on
     * @throws IOException when a wire cannot be watched; then none is, and the wires are still the
     *                     caller's to close
     */
    public static PacketClient start(NetClientContext context, List<? extends PacketWire> wires, int bufferSize,
            String info) throws IOException {
        PacketClient client = new PacketClient(context, wires, bufferSize, info);
        try {
            for (int i = 0; i < client.wires.length; i++) {
                int index = i;
                client.registrations[i] = client.wires[i].register(context.loop(), ops -> client.ready(index, ops));
            }
        } catch (IOException | RuntimeException e) {
            client.stopWatching();
            throw e;
        }
        client.pump.watch(client.registrations[0]);
        return client;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        PacketWire out = wires[0];
        Delivery delivery = write(out, frame);
        if (gathers) {
            if (delivery == Delivery.RETRY_LATER && flushOut()) {
                delivery = write(out, frame); // the full batch went: room for this one
            }
            if (delivery == Delivery.DELIVERED && !flushScheduled) {
                // After this iteration's reads: every frame they hand over joins the same send.
                flushScheduled = true;
                context.loop().executeAfterIo(flushGathered);
            }
        }
        if (delivery != Delivery.RETRY_LATER) {
            return delivery;
        }
        if (outputUnwatched) {
            // Nothing would ever say the wire has room again: drop rather than hold the peer for ever.
            sendErrors.increment();
            return Delivery.DROPPED;
        }
        // The runtime keeps the frame until the wire has room.
        return out.reportsRoom() ? pump.waitForWrite() : pump.retryAfter(RETRY_MICROS, TimeUnit.MICROSECONDS);
    }

    @Override
    public boolean canReceive() {
        return pump.canReceive();
    }

    @Override
    public String info() {
        return info;
    }

    /** Stops watching every wire, then closes them (on the loop). */
    @Override
    public void close() {
        stopWatching();
        for (PacketWire wire : wires) {
            wire.close();
        }
    }

    /** Releases every wire, in order (on a control thread). */
    @Override
    public void release() {
        for (PacketWire wire : wires) {
            wire.release();
        }
    }

    private void ready(int index, int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && index == 0 && (!gathers || flushOut())) {
            pump.writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readPackets(index);
        }
    }

    private Delivery write(PacketWire out, ByteBuffer frame) {
        try {
            return out.write(frame);
        } catch (IOException e) {
            context.ioFailed(sendErrors, "send failed: " + reason(e));
            return Delivery.DROPPED;
        }
    }

    private void flushGathered() {
        flushScheduled = false;
        if (!flushOut() && pump.canReceive()) {
            pump.waitForWrite(); // the runtime keeps further frames until the kept ones have gone
        }
    }

    /** @return true when the first wire keeps no frame any more */
    private boolean flushOut() {
        while (true) {
            try {
                return wires[0].flush();
            } catch (IOException e) {
                // One frame dropped; the rest is sent by the next round.
                context.ioFailed(sendErrors, "send failed: " + reason(e));
            }
        }
    }

    private void readPackets(int index) {
        PacketWire wire = wires[index];
        for (int i = 0; i < READ_BUDGET; i++) {
            rx.clear();
            PacketWire.Read read;
            try {
                read = wire.read(rx);
            } catch (IOException e) {
                context.ioFailed(recvErrors, "receive failed: " + reason(e));
                if (wire.stopReadingOnFailure()) {
                    stopWatching(index);
                }
                return;
            }
            if (read == PacketWire.Read.NONE) {
                return;
            }
            if (read == PacketWire.Read.FRAME && !pump.forward(rx)) {
                return; // the peer queued the frame: reading resumes when it has left the queue
            }
        }
        if (wire.holdsPackets()) {
            // Budget spent with packets held: no readiness will come for them, so come back.
            context.loop().execute(readHeld);
        }
    }

    /** Reading resumed: packets a wire holds are read from the loop (not inside the peer's flush). */
    private void readHeldLater() {
        for (PacketWire wire : wires) {
            if (wire.holdsPackets()) {
                context.loop().execute(readHeld);
                return;
            }
        }
    }

    private void readHeld() {
        for (int i = 0; i < wires.length; i++) {
            if (registrations[i] != null && wires[i].holdsPackets()) {
                readPackets(i);
            }
        }
    }

    private void stopWatching(int index) {
        if (index == 0) {
            outputUnwatched = true;
            // Its write readiness will never come: let the runtime hand over (and us drop) what it holds.
            pump.writable();
        }
        registrations[index].cancel();
        registrations[index] = null;
    }

    private void stopWatching() {
        for (int i = 0; i < registrations.length; i++) {
            if (registrations[i] != null) {
                registrations[i].cancel();
                registrations[i] = null;
            }
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
