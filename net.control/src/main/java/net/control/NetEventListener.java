package net.control;

import java.time.Instant;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service receiving QMP-style events ({@code NETDEV_STREAM_CONNECTED},
 * {@code NIC_RX_FILTER_CHANGED}, ...). Called from runtime threads: return quickly.
 */
@ConsumerType
public interface NetEventListener {

    /**
     * @param name the event name in QEMU's spelling
     * @param data the event's data members
     * @param time when it happened
     */
    void event(String name, Map<String, Object> data, Instant time);
}
