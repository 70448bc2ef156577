package net.api;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Runs on the sender's event loop when a frame that {@link NetClientContext#send(ByteBuffer,
 * SentCallback)} queued has left the queue: delivered, or purged because the receiver closed
 * (then with length 0). It never runs after the sender's own {@link NetClient#close()}: what the
 * sender had queued is dropped with it, without a call. Keep one instance per backend in a field:
 * a method reference evaluated per frame would allocate.
 */
@ConsumerType
@FunctionalInterface
public interface SentCallback {

    /**
     * @param length the frame's length when it was delivered, 0 when it was purged (the receiver
     *               closed: deleted, or its driver went away)
     */
    void sent(int length);
}
