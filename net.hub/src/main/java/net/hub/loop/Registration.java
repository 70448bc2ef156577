package net.hub.loop;

import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;

/** A channel a client registered; read interest is masked while the client's reading is paused. */
final class Registration implements IoRegistration {

    private final ClientLoop owner;
    private final IoHandler handler;
    private SelectionKey key;
    private int requested;

    Registration(ClientLoop owner, IoHandler handler, int ops) {
        this.owner = owner;
        this.handler = handler;
        this.requested = ops;
    }

    void attach(SelectionKey selectionKey) {
        this.key = selectionKey;
    }

    @Override
    public void interestOps(int ops) {
        requested = ops;
        apply();
    }

    @Override
    public int interestOps() {
        return requested;
    }

    void apply() {
        if (key != null && key.isValid()) {
            key.interestOps(owner.isReadingPaused() ? requested & ~SelectionKey.OP_READ : requested);
        }
    }

    int effectiveOps() {
        return owner.isReadingPaused() ? requested & ~SelectionKey.OP_READ : requested;
    }

    @Override
    public void cancel() {
        cancelKey();
        owner.forget(this);
    }

    void cancelKey() {
        if (key != null) {
            key.cancel();
        }
    }

    void dispatch(int readyOps) {
        try {
            handler.ready(readyOps);
        } catch (RuntimeException e) {
            // A handler that throws would be called again at once; stop watching its channel instead.
            owner.handlerFailed(this, e);
        }
    }
}
