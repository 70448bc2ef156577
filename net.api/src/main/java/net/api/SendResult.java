package net.api;

/** What happened to a frame a backend handed to {@link NetClientContext#send}. */
public enum SendResult {
    /** Delivered to the peer, or consumed on the way (by a filter or a hub). */
    SENT,
    /**
     * Copied into the peer's queue because it cannot take frames now. A sender that passed a
     * {@link SentCallback} should stop reading its source until that callback runs.
     */
    QUEUED,
    /** Discarded: no peer, peer pending, link down or queue full. The runtime counts the reason. */
    DROPPED
}
