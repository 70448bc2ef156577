package net.api;

/** What a {@link NetClient} did with a frame the runtime delivered to it. */
public enum Delivery {
    /** Taken (written, queued in the backend's own bounded buffer, or consumed). */
    DELIVERED,
    /** Not taken now; the runtime keeps it queued until {@link NetClientContext#receiveReady()}. */
    RETRY_LATER,
    /** Discarded by the backend; the backend counts why. */
    DROPPED
}
