package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * One open backend (or NIC) instance: the callbacks the runtime makes, all on the client's event
 * loop. Mirrors QEMU's per-client callbacks ({@code receive}, {@code can_receive},
 * {@code link_status_changed}, {@code cleanup}).
 */
@ConsumerType
public interface NetClient {

    /**
     * The largest frame the runtime carries: QEMU's NET_BUFSIZE (64 KiB of payload plus 4 KiB of
     * headers), so jumbo frames pass. Size receive buffers with it.
     */
    int MAX_FRAME = 4096 + 65536;

    /**
     * A frame from the peer, for this backend to put on its wire.
     *
     * @param frame the Ethernet frame between position and limit, as a read-only buffer: a hub
     *              hands the same frame to each of its ports, so nobody may write into it (copy it
     *              to change it). Valid only during the call (copy what you keep). The backend may
     *              move its position and limit; the runtime restores them.
     * @return {@link Delivery#DELIVERED} when taken, {@link Delivery#RETRY_LATER} when the backend
     *         cannot take it now (the runtime queues it and stops delivering until the backend calls
     *         {@link NetClientContext#receiveReady()}), {@link Delivery#DROPPED} when it was
     *         discarded (count why with a {@link NetClientContext#dropCounter(String) drop counter}).
     */
    Delivery receive(ByteBuffer frame);

    /**
     * A run of frames from the peer in QEMU's stream framing (each behind its 4-byte big-endian
     * length), for a backend whose wire uses that framing: it can take them with one copy instead
     * of one {@link #receive} each. Called only while {@link #canReceive()} is true; see
     * {@link NetClientContext#sendRun}.
     *
     * @param run whole frames between position and limit, each length 1..{@link #MAX_FRAME};
     *            read-only and valid only during the call; position and limit must be left as they are
     * @return the bytes taken from the start, whole frames only; the rest is offered frame by frame
     *         through {@link #receive}. 0 (the default) when the backend takes no runs
     */
    default int receiveRun(ByteBuffer run) {
        return 0;
    }

    /**
     * Whether the backend can take a frame now. When this turns from false to true, call
     * {@link NetClientContext#receiveReady()}.
     *
     * @return true by default
     */
    default boolean canReceive() {
        return true;
    }

    /**
     * The link of this client or of its peer changed ({@code set_link}).
     *
     * @param up the new state of this client's link
     */
    default void linkStatusChanged(boolean up) {
    }

    /**
     * The backend's part of its {@code info network} line, in QEMU's words, e.g.
     * {@code socket: connect to 127.0.0.1:11122}.
     *
     * @return a one-line description of the backend's state
     */
    String info();

    /**
     * This client's peer was set or cleared: a hubport was made for it or deleted, a NIC was
     * plugged into it or unplugged. Called on the event loop, only while the client is open, and
     * once right after it opens when it has a peer already (a {@code -net} member, or a netdev
     * opened again when its driver returns), so a client learns of every peer here;
     * {@link NetClientContext#hubId()} tells whether the peer now is a hub port. Must not block.
     *
     */
    default void peerChanged() {
    }

    /**
     * Closes the backend: sockets, files, timers. Called once, on the event loop, when the netdev is
     * deleted or its driver goes away. Channels registered through {@link NetClientContext#loop()}
     * and timers scheduled there are cancelled by the runtime as well, even if this throws. Must not
     * block: what has to wait (a script, a writer thread, a descriptor that must outlive the
     * script) belongs in {@link #release()}.
     */
    void close();

    /**
     * Blocking clean-up after {@link #close()}: called once, after {@code close()} returned on the
     * loop, on a control thread (never an event loop), also when {@code close()} threw. What must be
     * complete when {@code netdev_del} returns, or before a driver of the type opens the netdev
     * again, goes here: a down-script, waiting for a file to be written out, closing a descriptor
     * that something had to see first. The loop is free meanwhile; the context must not be used any
     * more. Calls on one runtime are made one at a time, so keep the wait bounded.
     *
     */
    default void release() {
    }
}
