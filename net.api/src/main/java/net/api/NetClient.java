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
     * @param frame the Ethernet frame between position and limit; valid only during the call (copy
     *              what you keep). The backend may move its position.
     * @return {@link Delivery#DELIVERED} when taken, {@link Delivery#RETRY_LATER} when the backend
     *         cannot take it now (the runtime queues it and stops delivering until the backend calls
     *         {@link NetClientContext#receiveReady()}), {@link Delivery#DROPPED} when it was
     *         discarded (count why with a {@link NetClientContext#counter(String) counter}).
     */
    Delivery receive(ByteBuffer frame);

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
     * Closes the backend: sockets, files, timers. Called once, on the event loop, when the netdev is
     * deleted or its driver goes away. Channels registered through {@link NetClientContext#loop()}
     * and timers scheduled there are cancelled by the runtime as well, even if this throws.
     */
    void close();
}
