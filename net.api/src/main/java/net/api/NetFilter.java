package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/** One open filter in a netdev's chain; called on the netdev's event loop. */
@ConsumerType
public interface NetFilter {

    /**
     * Sees a frame passing the netdev in one direction.
     *
     * @param frame     the frame between position and limit; valid during the call, do not move its
     *                  position
     * @param direction {@link NetFilterDirection#RX} for frames sent to the netdev, {@link
     *                  NetFilterDirection#TX} for frames the netdev sends
     * @return true to pass the frame on, false when the filter consumed it
     */
    boolean filter(ByteBuffer frame, NetFilterDirection direction);

    /** @return the filter's own properties as {@code info network} prints them, e.g. {@code file=x.pcap} */
    String info();

    /** Closes the filter (files, timers). */
    void close();
}
