package net.backend.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ByteChannel;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.SendResult;
import net.api.SentCallback;
import net.log.RepeatedLog;

/**
 * One connected stream socket carrying QEMU's length-prefixed frames, for {@code socket}'s
 * listen/connect and for {@code stream}: reads frames to the peer with flow control, writes frames
 * from the peer completing partial writes first, and closes itself on EOF, bad input or an I/O
 * error, with one log line and a counter. Frames from the peer are gathered during one loop
 * iteration and written together at its end (or as soon as a batch is full): one system call for
 * many frames, where QEMU makes one per frame. Runs on the backend's event loop; the buffers
 * belong to the backend and are reused by every connection it makes.
 */
final class FramedConnection {

    /** What the backend learns when the connection is gone. */
    @FunctionalInterface
    interface Owner {
        /**
         * @param writeWasPending whether a frame was half written: the runtime then waits for
         *                        {@code receiveReady()}
         */
        void connectionClosed(boolean writeWasPending);
    }

    /**
     * Bytes handed on per wake-up, so a busy connection cannot starve the loop's other clients:
     * about 1 000 frames of 64 bytes, or 43 of 1514; a run may overshoot it by one read buffer.
     */
    private static final int READ_BUDGET = 64 * 1024;

    static {
        // Resolved here so this bundle's class loader has looked ByteChannel up itself. With a JDK
        // AOT cache the bundle's other classes arrive verified and linked, and nothing else makes
        // the loader do it; C2 then takes the field below for a class not loaded yet, assumes it
        // holds null, and traps and recompiles readFrames and flush on every frame, for good.
        ByteChannel.class.getName();
    }

    private final NetClientContext context;
    private final ByteChannel channel;
    private final IoRegistration registration;
    private final StreamFramer framer;
    private final StreamEncoder tx;
    /** Fields, not lambdas per frame: the peer calls it when a frame it queued has left its queue. */
    private final SentCallback resumeReading = length -> resume();
    private final Runnable readHeld = this::readFrames;
    private final Runnable flushGathered = this::flushGathered;
    private final Owner owner;
    private final String peer;
    private final RepeatedLog failures;
    /** The socket did not take everything: waiting for OP_WRITE, frames from the peer are refused. */
    private boolean writePending;
    private boolean flushScheduled;
    private boolean paused;
    private boolean closed;

    /**
     * @param context       the netdev
     * @param channel       the connected, non-blocking channel (a JDK socket or a descriptor)
     * @param registration  its registration, whose handler calls {@link #ready}
     * @param framer        the backend's framer, reset here
     * @param tx            the backend's encoder, cleared here
     * @param owner         told when the connection closes
     * @param peer          the remote end, for log lines
     * @param failures      the backend's log of failed connections: a peer that reconnects and
     *                      fails again and again is logged at a bounded rate
     */
    FramedConnection(NetClientContext context, ByteChannel channel, IoRegistration registration, StreamFramer framer,
            StreamEncoder tx, Owner owner, String peer, RepeatedLog failures) {
        this.context = context;
        this.channel = channel;
        this.registration = registration;
        this.framer = framer;
        this.tx = tx;
        this.owner = owner;
        this.peer = peer;
        this.failures = failures;
        framer.reset();
        tx.clear();
        registration.interestOps(SelectionKey.OP_READ);
    }

    /** @param readyOps the channel's ready set */
    void ready(int readyOps) {
        if (!closed && (readyOps & SelectionKey.OP_WRITE) != 0 && writePending) {
            flush();
        }
        if (!closed && (readyOps & SelectionKey.OP_READ) != 0) {
            readFrames();
        }
    }

    /** @return false while the socket has not taken everything written to it */
    boolean canWrite() {
        return !writePending;
    }

    /**
     * Writes a frame with its length: gathered with the others of this loop iteration, written at
     * its end or at once when a batch is full. What the socket does not take stays and goes out
     * before anything else, so frames never interleave on the wire; until it has, frames are
     * refused (RETRY_LATER), as QEMU does while its send buffer is not empty.
     *
     * @param frame a frame from the peer
     * @return DELIVERED when written or kept, RETRY_LATER while earlier bytes are unwritten,
     *         DROPPED when the write failed (the connection is closed then)
     */
    Delivery write(ByteBuffer frame) {
        if (writePending) {
            return Delivery.RETRY_LATER;
        }
        boolean first = tx.isEmpty();
        tx.append(frame);
        if (tx.isFull()) {
            flush();
            return closed ? Delivery.DROPPED : Delivery.DELIVERED;
        }
        if (first && !flushScheduled) {
            // After this iteration's reads: every frame they hand over joins the same write.
            flushScheduled = true;
            context.loop().executeAfterIo(flushGathered);
        }
        return Delivery.DELIVERED;
    }

    /**
     * Writes the whole frames of a run, as {@link #write} would one by one: gathered, and written
     * at once whenever a batch is full. Stops when the socket does not take a batch.
     *
     * @param run frames behind their lengths; left unchanged
     * @return the bytes taken, whole frames; 0 while earlier bytes are unwritten
     */
    int writeRun(ByteBuffer run) {
        int taken = 0;
        int start = run.position();
        int end = run.limit();
        while (taken < end - start && !writePending && !closed) {
            boolean first = tx.isEmpty();
            taken += tx.appendRun(run.position(start + taken));
            if (tx.isFull()) {
                flush();
            } else if (first && !flushScheduled) {
                flushScheduled = true;
                context.loop().executeAfterIo(flushGathered);
            }
        }
        run.limit(end).position(start);
        return taken;
    }

    /** Closes the socket without telling the owner: the backend itself is closing. */
    void close() {
        closed = true;
        registration.cancel();
        Sockets.closeQuietly(channel);
    }

    private void flushGathered() {
        flushScheduled = false;
        if (!closed && !writePending && !tx.isEmpty()) {
            flush();
        }
    }

    private void flush() {
        boolean all;
        try {
            all = tx.writeTo(channel);
        } catch (IOException e) {
            fail(context.dropCounter("send-error"), "write to " + peer + " failed: " + Sockets.reason(e));
            return;
        }
        if (!all) {
            if (!writePending) {
                writePending = true;
                registration.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        } else if (writePending) {
            writePending = false;
            registration.interestOps(SelectionKey.OP_READ);
            context.receiveReady();
        }
    }

    /** The peer took the frame it had queued: read again, starting with the frames already held. */
    private void resume() {
        paused = false;
        context.resumeReading();
        if (framer.holdsFrame()) {
            context.loop().execute(readHeld); // not from inside the peer's queue flush
        }
    }

    private void readFrames() {
        if (paused) {
            return;
        }
        int spent = 0;
        boolean runs = true; // until a run is refused: then frame by frame, which queues and pauses
        while (spent < READ_BUDGET && !closed) {
            if (runs) {
                ByteBuffer run = framer.run();
                int held = run.remaining();
                if (held > 0) {
                    int taken = context.sendRun(run);
                    framer.skip(taken);
                    spent += taken;
                    runs = taken == held;
                    continue;
                }
            }
            StreamFramer.Result result;
            try {
                result = framer.read(channel);
            } catch (IOException e) {
                fail(context.counter("recv-error"), "read from " + peer + " failed: " + Sockets.reason(e));
                return;
            }
            switch (result) {
                case FRAME -> {
                    spent += 4 + framer.frame().remaining();
                    if (context.send(framer.frame(), resumeReading) == SendResult.QUEUED) {
                        // The peer queued the frame: stop reading, so TCP's window pushes back on the sender.
                        paused = true;
                        context.pauseReading();
                        return;
                    }
                }
                case AGAIN -> {
                    return;
                }
                case END -> end(System.Logger.Level.INFO, context.counter("eof"), "connection from " + peer + " closed by the peer");
                case TRUNCATED -> fail(context.dropCounter("truncated"),
                        "connection from " + peer + " ended in the middle of a frame (" + framer.partial() + "), frame dropped");
                case BAD_LENGTH -> fail(context.dropCounter("bad-length"), "closing connection from " + peer + ": bad frame length "
                        + framer.badLength() + " (must be 1.." + NetClient.MAX_FRAME + ")");
            }
        }
        if (!closed && framer.holdsFrame()) {
            // Budget spent with frames held: no read event will come for them, so come back.
            context.loop().execute(readHeld);
        }
    }

    private void fail(NetCounter counter, String message) {
        failures.log(() -> message);
        end(counter);
    }

    private void end(System.Logger.Level level, NetCounter counter, String message) {
        context.logger().log(level, message);
        end(counter);
    }

    private void end(NetCounter counter) {
        counter.increment();
        boolean wasPending = writePending;
        writePending = false;
        close();
        owner.connectionClosed(wasPending);
    }
}
