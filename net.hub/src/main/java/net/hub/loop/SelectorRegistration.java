package net.hub.loop;

import java.nio.channels.SelectionKey;
import net.api.IoHandler;

/** A selectable channel registered with the loop's NIO selector. */
final class SelectorRegistration extends Registration {

    private SelectionKey key;

    SelectorRegistration(ClientLoop owner, IoHandler handler, int ops) {
        super(owner, handler, ops);
    }

    void attach(SelectionKey selectionKey) {
        this.key = selectionKey;
    }

    @Override
    void apply() {
        if (key != null && key.isValid()) {
            key.interestOps(effectiveOps());
        }
    }

    @Override
    void stopWatching() {
        if (key != null) {
            key.cancel();
        }
    }
}
