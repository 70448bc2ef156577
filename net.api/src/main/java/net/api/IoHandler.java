package net.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Called on the event loop when a registered channel is ready. */
@ConsumerType
@FunctionalInterface
public interface IoHandler {

    /** @param readyOps the ready set ({@link java.nio.channels.SelectionKey} constants) */
    void ready(int readyOps);
}
