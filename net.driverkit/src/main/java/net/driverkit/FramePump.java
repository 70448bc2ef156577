package net.driverkit;

import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.SendResult;
import net.api.SentCallback;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;

/**
 * QEMU's flow control for a backend that carries one frame per packet over a non-blocking
 * descriptor (a datagram socket, a tap queue): the read side stops reading while the peer holds a
 * queued frame, the write side makes the runtime keep frames while the descriptor has no room.
 * Use it on the client's loop only; nothing here allocates per frame. {@link PacketClient} runs it
 * for backends made of {@link PacketWire}s; a backend of another shape uses it like this:
 *
 * <pre>{@code
 * pump = new FramePump(context);
 * pump.watch(context.loop().register(channel, SelectionKey.OP_READ, this::ready));
 *
 * // receive(frame): when the descriptor takes nothing
 * return pump.waitForWrite();
 * // canReceive()
 * return pump.canReceive();
 * // ready(readyOps)
 * if ((readyOps & SelectionKey.OP_WRITE) != 0) pump.writable();
 * // the read loop, per frame read
 * if (!pump.forward(rx)) return;
 * }</pre>
 */
public final class FramePump {

    private final NetClientContext context;
    /** A field, not a lambda per send: the peer calls it when a queued frame has left its queue. */
    private final SentCallback resumeReading;
    /** A field, not a lambda per retry. */
    private final Runnable retry = this::writable;
    private IoRegistration registration;
    /** The runtime keeps frames for us until the descriptor has room. */
    private boolean waiting;
    /** The wait added write interest to {@link #registration}, which {@link #writable()} takes away. */
    private boolean writeInterest;

    /**
     * @param context the client's runtime side
     */
    public FramePump(NetClientContext context) {
        this(context, () -> { });
    }

    /**
     * @param context the client's runtime side
     * @param resumed run when reading resumes, after {@link NetClientContext#resumeReading()}: the
     *                place to go on with packets a read took from the descriptor and still holds,
     *                for which no read readiness will come
     */
    public FramePump(NetClientContext context, Runnable resumed) {
        this.context = context;
        this.resumeReading = length -> {
            context.resumeReading();
            resumed.run();
        };
    }

    /**
     * Sets the registration whose write readiness ends a {@link #waitForWrite()}: the one of the
     * descriptor frames from the peer are written to. Call before the first wait.
     *
     * @param registration the descriptor's registration on the client's loop
     */
    public void watch(IoRegistration registration) {
        this.registration = registration;
    }

    /**
     * Sends a frame read from the wire to the peer. When the peer queues it, reading pauses (every
     * channel of the client) until the frame has left the peer's queue, as QEMU's backends stop
     * polling for reads until their send completes.
     *
     * @param frame the frame between position and limit
     * @return true to read on; false when reading is paused and the read loop must stop
     */
    public boolean forward(ByteBuffer frame) {
        if (context.send(frame, resumeReading) == SendResult.QUEUED) {
            context.pauseReading();
            return false;
        }
        return true;
    }

    /**
     * The descriptor took nothing (its buffer is full): wait for write readiness on the
     * {@linkplain #watch watched} registration. Until then {@link #canReceive()} is false.
     *
     * @return {@link Delivery#RETRY_LATER}, for {@link NetClient#receive} to return: the runtime
     *         keeps the frame until {@link #writable()}
     */
    public Delivery waitForWrite() {
        waiting = true;
        writeInterest = true;
        registration.interestOps(registration.interestOps() | SelectionKey.OP_WRITE);
        return Delivery.RETRY_LATER;
    }

    /**
     * The descriptor took nothing, and its write readiness does not mean room (an unconnected
     * unix datagram socket is reported writable while its receiver is full): try again after a
     * delay instead. Until then {@link #canReceive()} is false.
     *
     * @param delay the delay
     * @param unit  the delay's unit
     * @return {@link Delivery#RETRY_LATER}, for {@link NetClient#receive} to return
     */
    public Delivery retryAfter(long delay, TimeUnit unit) {
        waiting = true;
        context.loop().schedule(retry, delay, unit);
        return Delivery.RETRY_LATER;
    }

    /**
     * The descriptor may take frames again: call it when the loop reports write readiness, or
     * when nothing will report it any more (the descriptor is no longer watched), so the runtime
     * hands over, or drops, what it kept. Does nothing unless a wait is on.
     */
    public void writable() {
        if (!waiting) {
            return;
        }
        waiting = false;
        if (writeInterest) {
            writeInterest = false;
            registration.interestOps(registration.interestOps() & ~SelectionKey.OP_WRITE);
        }
        context.receiveReady();
    }

    /**
     * @return false while a wait is on, for {@link NetClient#canReceive()} to return
     */
    public boolean canReceive() {
        return !waiting;
    }
}
