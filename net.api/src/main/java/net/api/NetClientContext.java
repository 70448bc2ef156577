package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The runtime's side of one netdev (or NIC), handed to {@link NetClientDriver#open}. Every method
 * must be called on {@link #loop()}'s thread, except {@link #id()}, {@link #type()} and
 * {@link #logger()}.
 */
@ProviderType
public interface NetClientContext {

    /** @return the netdev's id (or the NIC's name) */
    String id();

    /**
     * The hub this client is joined to now: its peer is a hub port ({@code -net TYPE,vlan=N}, or a
     * {@code hubport,netdev=} made for it). Known in {@link NetClientDriver#open} for {@code -net};
     * a hubport made later joins after it opened. Call on the client's loop.
     *
     * @return the hub's id, or empty when the peer is no hub port (or there is none yet)
     */
    java.util.OptionalInt hubId();

    /** @return the QAPI type of the netdev, e.g. {@code socket} */
    String type();

    /**
     * The event loop that owns this client. Channels registered and tasks scheduled through it
     * belong to this client and are cancelled when it closes.
     *
     * @return the client's event loop
     */
    NetEventLoop loop();

    /**
     * Sends a frame to the peer, QEMU style: it passes this client's filters, the peer's filters,
     * and is delivered or queued at the peer.
     *
     * @param frame  the frame between position and limit; the runtime copies what it keeps and
     *               never writes into it, so the backend may reuse it once this returns
     * @param onSent called when a frame that was {@link SendResult#QUEUED} leaves the peer's
     *               queue; with a callback a frame is always queued rather than dropped, so the
     *               sender must pause its source until the callback runs. May be null: then a
     *               frame is dropped when the peer's queue is full.
     * @return what happened to the frame
     */
    SendResult send(ByteBuffer frame, SentCallback onSent);

    /**
     * Sends without a callback; see {@link #send(ByteBuffer, SentCallback)}.
     *
     * @param frame the frame between position and limit
     * @return what happened to the frame
     */
    default SendResult send(ByteBuffer frame) {
        return send(frame, null);
    }

    /**
     * Sends a run of frames in QEMU's stream framing (each behind its 4-byte big-endian length) in
     * one call, where the runtime can hand them on without a hop per frame: no filter on the way,
     * and a peer that takes frames now and takes runs ({@link NetClient#receiveRun}), such as a
     * stream socket across a two-port hub. Counters count every frame as {@link #send} would.
     * Whatever is not taken is to be sent frame by frame with {@link #send}, which queues and
     * drops by QEMU's rules.
     *
     * @param run whole frames between position and limit, each length 1..{@link NetClient#MAX_FRAME};
     *            unchanged on return, never written into, reusable once this returns
     * @return the bytes taken from the start of the run, whole frames only; 0 when the runtime
     *         cannot take runs now
     */
    default int sendRun(ByteBuffer run) {
        return 0;
    }

    /**
     * Tells the runtime this client can take frames again (after {@link Delivery#RETRY_LATER} or
     * after {@link NetClient#canReceive()} turned true): queued frames are delivered now.
     */
    void receiveReady();

    /** Stops read readiness on every channel this client registered, until {@link #resumeReading()}. */
    void pauseReading();

    /** Restores read readiness on the channels this client registered. */
    void resumeReading();

    /** @return whether this client's link is up ({@code set_link}) */
    boolean isLinkUp();

    /**
     * Sets this client's link: the backend's own {@code qmp_set_link}, as QEMU's vhost-user netdev
     * sets its link down when its back end goes and up when the back end is ready again. The effect
     * is that of {@code set_link} on this netdev: while down, frames to and from it are dropped and
     * counted as {@code link-down}; a NIC peer's link follows, and the peer (a NIC, a hub port, a
     * backend) is told through {@link NetClient#linkStatusChanged}, as is this client. A later
     * {@code set_link} by the user overrides it, and this overrides the user's. Call on the loop;
     * after the client closed it does nothing.
     *
     * @param up the new state
     */
    void setLinkUp(boolean up);

    /**
     * A counter of frames this backend discarded for one reason, e.g. {@code bad-length}: shown
     * among the netdev's drops, next to the runtime's own reasons ({@code queue-full}, ...). Drops
     * are the netdev's history: they outlive this open backend, as its traffic counters do.
     *
     * @param reason a short lower-case name
     * @return the counter, the same instance for the same reason
     */
    NetCounter dropCounter(String reason);

    /**
     * A counter of something this backend did or saw that is not a lost frame, e.g.
     * {@code reconnect} or {@code eof}: shown apart from traffic and drops. It lives as long as
     * this open backend and disappears with it (a driver of another version starts afresh).
     *
     * @param name a short lower-case name
     * @return the counter, the same instance for the same name
     */
    NetCounter counter(String name);

    /**
     * Sends a QMP event to management clients, e.g. {@code NETDEV_STREAM_CONNECTED}.
     *
     * @param name the event name in QEMU's spelling
     * @param data the event's data members
     */
    void event(String name, java.util.Map<String, Object> data);

    /**
     * For NICs implementing {@link RxFilterReporter}: the receive filter changed. The runtime
     * emits {@code NIC_RX_FILTER_CHANGED} unless one was sent since the last {@code query-rx-filter}.
     */
    void rxFilterChanged();

    /**
     * Counts a failed I/O call and logs it as a warning, the first time one happens to this
     * netdev; later failures are only counted, so a broken wire cannot flood the log. Call on the
     * loop.
     *
     * @param counter the counter of that kind of failure ({@code send-error}, ...)
     * @param message what failed, e.g. {@code "send failed: Connection refused"}
     */
    void ioFailed(NetCounter counter, String message);

    /** @return a logger whose records name this client */
    System.Logger logger();
}
