package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs on the sender's event loop when a frame that {@link NetClientContext#send(ByteBuffer,
 * SentCallback)} queued has left the queue. Keep one instance per backend in a field: a method
 * reference evaluated per frame would allocate.
 */
@ConsumerType
@FunctionalInterface
public interface SentCallback {

    /**
     * @param length the frame's length when it was delivered, 0 when it was purged (the peer went
     *               away or was deleted)
     */
    void sent(int length);
}
