package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** One open filter in a netdev's chain; called on the netdev's event loop. */
@ConsumerType
public interface NetFilter {

    /**
     * Sees a frame passing the netdev in one direction.
     *
     * @param frame     the frame between position and limit, read-only (a filter observes or
     *                  consumes frames, it does not rewrite them); valid during the call
     * @param direction {@link NetFilterDirection#RX} for frames sent to the netdev, {@link
     *                  NetFilterDirection#TX} for frames the netdev sends
     * @return true to pass the frame on, false when the filter consumed it
     */
    boolean filter(ByteBuffer frame, NetFilterDirection direction);

    /**
     * The filter's {@code status} changed while it is open (QEMU's {@code status_changed}): while
     * off the runtime passes frames by it. Called on the netdev's loop; e.g. a filter holding
     * frames lets them go when switched off.
     *
     * @param on the new status
     */
    default void statusChanged(boolean on) {
    }

    /** @return the filter's own properties as {@code info network} prints them, e.g. {@code file=x.pcap} */
    String info();

    /**
     * Closes the filter (files, timers). Called once, on the netdev's event loop, when the object
     * is deleted, its netdev goes or its driver leaves. Must not block: waiting belongs in
     * {@link #release()}.
     */
    void close();

    /**
     * Blocking clean-up after {@link #close()}: called once, after {@code close()} returned on the
     * loop, on a control thread (never an event loop), also when {@code close()} threw. What must be
     * complete when {@code object-del} returns goes here, e.g. waiting until a capture file is
     * written out. Keep the wait bounded: control operations run one at a time.
     *
     */
    default void release() {
    }
}
