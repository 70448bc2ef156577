package net.api;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A single-threaded event loop (an NIO selector and a task queue). A client's callbacks all run on
 * its loop, so a backend needs no locks. Never block on a loop thread.
 */
@ProviderType
public interface NetEventLoop extends Executor {

    /** @return whether the calling thread is this loop's thread */
    boolean inLoop();

    /**
     * Runs a task once the loop's current iteration has done its I/O and handed over the frames
     * other loops sent, before the loop waits again: the place to flush what a batch of frames
     * gathered (one write for all of them). Call on the loop; queueing allocates nothing. The task
     * does not run once the client is closed.
     *
     * @param task the task; queue it once per iteration (keep a flag), not once per frame
     */
    default void executeAfterIo(Runnable task) {
        execute(task);
    }

    /**
     * Registers a non-blocking channel with the loop's selector.
     *
     * @param channel a channel in non-blocking mode
     * @param ops     the interest set ({@link java.nio.channels.SelectionKey} constants)
     * @param handler called on the loop with the ready set
     * @return the registration, to change interest or cancel
     * @throws IOException when the channel cannot be registered
     */
    IoRegistration register(SelectableChannel channel, int ops, IoHandler handler) throws IOException;

    /**
     * Watches a raw descriptor, one the JDK has no selectable channel for (an adopted {@code fd=N},
     * an AF_UNIX datagram socket, a raw IP socket, {@code /dev/net/tun}), as QEMU's
     * {@code qemu_set_fd_handler} does. The loop watches it one-shot and re-arms it after each call
     * of the handler with the interest set then current, so a handler may read only part of what
     * is waiting and be called again. Cancel the registration before closing the descriptor.
     *
     * @param fd      the descriptor, non-blocking, owned by the caller
     * @param ops     {@link java.nio.channels.SelectionKey#OP_READ} and/or {@code OP_WRITE}
     * @param handler called on the loop with the ready set; a descriptor in error or hung up is
     *                reported as readable (and writable when write interest is on), so the next
     *                read or write reports the condition
     * @return the registration, to change interest or cancel
     * @throws IOException when the descriptor cannot be watched
     */
    IoRegistration register(int fd, int ops, IoHandler handler) throws IOException;

    /**
     * Runs a task on the loop after a delay.
     *
     * @param task  the task
     * @param delay the delay
     * @param unit  the delay's unit
     * @return a handle that cancels the task
     */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** A scheduled task that can still be cancelled. */
    @ProviderType
    interface Cancellable {
        /** Cancels the task if it has not run yet. */
        void cancel();
    }
}
