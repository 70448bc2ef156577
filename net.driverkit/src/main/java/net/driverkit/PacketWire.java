package net.driverkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetEventLoop;

/**
 * The part of a packet backend that is its own: one non-blocking descriptor that carries one
 * Ethernet frame per packet (a datagram socket, a tap queue, a tunnel socket), with the checks and
 * headers of its protocol. {@link PacketClient} makes a {@link NetClient} of one or more wires and
 * does the rest: the read loop, QEMU's flow control both ways, the read budget, the
 * {@code send-error} and {@code recv-error} counters, closing in order.
 *
 * <p>All calls but {@link #release()} run on the client's event loop: they must not block, and
 * must not allocate per frame.
 */
public interface PacketWire {

    /** What one {@link #read} found. */
    enum Read {
        /** A frame for the peer, between the buffer's position and limit. */
        FRAME,
        /** A packet that is no frame for the peer (too short, another session's): the wire counted it. */
        DROPPED,
        /** Nothing is waiting: reading stops until the loop reports the descriptor readable again. */
        NONE
    }

    /**
     * Reads one packet, QEMU's read handler minus the send: the descriptor call, then the checks of
     * the wire's protocol (strip a header, refuse an oversized or foreign packet).
     *
     * @param into the client's read buffer, cleared: room for the largest packet the wire carries
     * @return {@link Read#FRAME} with the frame between position and limit, {@link Read#DROPPED}
     *         to read on, {@link Read#NONE} when the descriptor has nothing
     * @throws IOException when the read fails: the client counts {@code recv-error}, logs the
     *                     netdev's first failure and stops reading until the next readiness
     */
    Read read(ByteBuffer into) throws IOException;

    /**
     * Whether {@link #read} holds packets it took from the descriptor together with an earlier one
     * (a batch) and has not returned yet. The client reads them without waiting for the descriptor
     * to be readable: after its read budget, and when reading resumes after a pause.
     *
     * @return false unless the wire holds packets
     */
    default boolean holdsPackets() {
        return false;
    }

    /**
     * Writes one frame from the peer as one packet (with the wire's header in front, if it has one).
     *
     * @param frame the frame between position and limit, read-only and valid only during the call
     * @return {@link Delivery#DELIVERED} when it went out, {@link Delivery#RETRY_LATER} when the
     *         descriptor has no room and nothing went (the client then waits for room),
     *         {@link Delivery#DROPPED} when the wire discarded it and counted why
     * @throws IOException when the write fails: the client drops the frame and counts
     *                     {@code send-error}, logging the netdev's first failure
     */
    Delivery write(ByteBuffer frame) throws IOException;

    /**
     * Whether {@link #write} keeps frames to send them together: then {@code DELIVERED} means
     * kept (or sent), {@code RETRY_LATER} that the wire keeps all it can (a full batch, or frames
     * the descriptor had no room for), and the client calls {@link #flush()} once per loop
     * iteration after its I/O, when the wire is full, and when the descriptor is writable again.
     *
     * @return false unless the wire gathers (asked once, when the client starts)
     */
    default boolean gathers() {
        return false;
    }

    /**
     * Sends the frames {@link #write} kept, in order (only for a wire that {@link #gathers()}).
     *
     * @return true when the wire keeps nothing any more; false when the descriptor had no room
     *         for the rest, which stays for the next flush (the client waits for room)
     * @throws IOException when a frame could not be sent: that one frame is dropped (the client
     *                     counts {@code send-error}) and the client flushes again for the rest
     */
    default boolean flush() throws IOException {
        return true;
    }

    /**
     * Watches the descriptor: {@code loop.register(channel, OP_READ, handler)} for a JDK channel,
     * {@code loop.register(fd, OP_READ, handler)} for a raw descriptor.
     *
     * @param loop    the client's loop
     * @param handler the client's handler for this wire
     * @return the registration, with read interest
     * @throws IOException when the descriptor cannot be watched
     */
    IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException;

    /**
     * Whether the loop's write readiness means the next write fits. True for nearly everything;
     * false for an unconnected unix datagram socket, which the kernel reports writable while the
     * receiver's queue is full: the client then retries after a short delay instead.
     *
     * @return true unless write readiness says nothing about room
     */
    default boolean reportsRoom() {
        return true;
    }

    /**
     * Whether a failed read ends reading from this wire. False for sockets: an error (an ICMP
     * message about an earlier packet) is reported once and the next read works. True where every
     * read would fail again (a tap whose interface was deleted): the client stops watching the
     * wire rather than spin, and when it is the wire frames go out on, drops what finds it full,
     * since no write readiness will ever come.
     *
     * @return false unless a read failure is for good
     */
    default boolean stopReadingOnFailure() {
        return false;
    }

    /**
     * Closes what closes at once; called on the loop after the client stopped watching the wire.
     * What must outlive a blocking clean-up (a tap's descriptor, which its down-script must still
     * see) stays open for {@link #release()}.
     */
    void close();

    /**
     * The blocking half of closing (a down-script, then the descriptor), on a control thread after
     * {@link #close()}, wire by wire in the order the client was given them.
     */
    default void release() {
    }
}
