package net.hub.data;

/** Why the runtime discarded a frame; the names are what users see in counters. */
public enum DropReason {
    /** Sent by, or to, a client whose link is down ({@code set_link ... off}). */
    LINK_DOWN("link-down"),
    /** Sent by a client with no peer. */
    NO_PEER("no-peer"),
    /** Sent to a peer whose driver is absent or refused its options. */
    PEER_PENDING("peer-pending"),
    /** The receiver's queue was at its bound. */
    QUEUE_FULL("queue-full"),
    /** Larger than QEMU's NET_BUFSIZE. */
    OVERSIZED("oversized"),
    /** The hand-over queue to another event loop was full. */
    LOOP_QUEUE_FULL("loop-queue-full"),
    /** The backend threw while taking the frame. */
    BACKEND_ERROR("backend-error"),
    /** Queued frames thrown away because their sender or receiver closed. */
    PURGED("purged");

    private final String label;

    DropReason(String label) {
        this.label = label;
    }

    /** @return the counter name */
    public String label() {
        return label;
    }
}
