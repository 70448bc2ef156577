package net.hub.loop;

import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;

/**
 * Something a client watches on its loop: a selectable channel or a raw descriptor. Read interest
 * is masked while the client's reading is paused, and interest as start-up holds the loop.
 */
abstract sealed class Registration implements IoRegistration permits SelectorRegistration, FdRegistration {

    private final ClientLoop owner;
    private final IoHandler handler;
    private int requested;

    Registration(ClientLoop owner, IoHandler handler, int ops) {
        this.owner = owner;
        this.handler = handler;
        this.requested = ops;
    }

    @Override
    public final void interestOps(int ops) {
        requested = ops;
        apply();
    }

    @Override
    public final int interestOps() {
        return requested;
    }

    /** Tells the selector or poller the effective interest set. */
    abstract void apply();

    /** Stops watching; the channel stays open. */
    abstract void stopWatching();

    final int effectiveOps() {
        int ops = requested & owner.eventLoop().startupMask();
        return owner.isReadingPaused() ? ops & ~SelectionKey.OP_READ : ops;
    }

    @Override
    public final void cancel() {
        stopWatching();
        owner.forget(this);
    }

    final void dispatch(int readyOps) {
        try {
            handler.ready(readyOps);
        } catch (RuntimeException e) {
            // A handler that throws would be called again at once; stop watching its channel instead.
            owner.handlerFailed(this, e);
        }
    }
}
