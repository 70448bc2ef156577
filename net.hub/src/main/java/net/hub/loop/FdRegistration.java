package net.hub.loop;

import net.api.IoHandler;

/** A raw descriptor watched by the loop's {@link FdPoller}. */
final class FdRegistration extends Registration {

    private final FdPoller poller;
    final int fd;
    /** Index in the poller's table and the generation that tells stale events from current ones. */
    int slot;
    int generation;
    /** The interest epoll has for this descriptor now. */
    int watchedOps;
    boolean watching = true;

    FdRegistration(ClientLoop owner, IoHandler handler, int ops, FdPoller poller, int fd) {
        super(owner, handler, ops);
        this.poller = poller;
        this.fd = fd;
    }

    @Override
    void apply() {
        if (watching) {
            poller.update(this);
        }
    }

    @Override
    void stopWatching() {
        if (watching) {
            watching = false;
            poller.remove(this);
        }
    }
}
