package net.hub.loop;

/**
 * How long a loop keeps polling after I/O before it sleeps in the kernel, adapted to what polling
 * bought lately. One per loop, used on its thread only; the loop passes in its own clock readings
 * ({@link System#nanoTime()}), so the policy reads no clock and allocates nothing.
 *
 * <p>As the kernel's halt polling does for a virtual CPU: a loop that slept and was woken again
 * within the longest window would have done better to keep polling, so its window doubles (from
 * {@link #START_NANOS}); one that slept longer than that polled in vain, so its window halves, to
 * none below {@link #START_NANOS}. A loop starts with none: only traffic that comes back quickly
 * makes it poll. And a zero-timeout poll that took far longer than a system call means another
 * thread had the CPU meanwhile: polling then spends the loop's fair share of a contended CPU, and
 * its wake-ups wait for the other thread's time slice. The loop stops polling for a back-off that
 * doubles while that keeps happening, up to {@link #MAX_BACK_OFF_NANOS}.
 */
final class SpinPolicy {

    /** The first window a loop polls for, and the shortest it polls at all. */
    static final long START_NANOS = 10_000;
    /** A zero-timeout poll this slow was not running all along: the scheduler ran another thread. */
    static final long PREEMPTED_NANOS = 200_000;
    /** The back-off after a first preemption. */
    static final long MIN_BACK_OFF_NANOS = 10_000_000;
    /** The longest back-off; preempted again within this after a back-off, the next one doubles. */
    static final long MAX_BACK_OFF_NANOS = 1_000_000_000;

    private final long maxNanos;
    private final boolean adapts;
    private long windowNanos;
    /** Whether the loop waits for work since {@link #idleSince}, the end of its last I/O. */
    private boolean idle;
    private long idleSince;
    private long backOffNanos;
    private long backOffUntil;

    /**
     * @param maxNanos the longest window (0 = never poll)
     * @param adapts   false: always poll for {@code maxNanos} (the loop's former fixed window)
     * @param now      the clock now
     */
    SpinPolicy(long maxNanos, boolean adapts, long now) {
        this.maxNanos = maxNanos;
        this.adapts = adapts;
        this.windowNanos = adapts ? 0 : maxNanos;
        this.backOffUntil = now;
    }

    /**
     * The loop handled I/O; its iteration ended at {@code now}.
     *
     * @return until when to poll (now: not at all)
     */
    long afterIo(long now) {
        idle = true;
        idleSince = now;
        return now - backOffUntil < 0 ? now : now + windowNanos;
    }

    /** The loop made a zero-timeout poll while polling, from {@code from} to {@code to}. */
    void polled(long from, long to) {
        if (!adapts || to - from <= PREEMPTED_NANOS) {
            return;
        }
        boolean again = backOffNanos > 0 && to - backOffUntil < MAX_BACK_OFF_NANOS;
        backOffNanos = again ? Math.min(2 * backOffNanos, MAX_BACK_OFF_NANOS) : MIN_BACK_OFF_NANOS;
        backOffUntil = to + backOffNanos;
        windowNanos = 0;
    }

    /**
     * The loop found work at {@code at}.
     *
     * @param slept whether it found the work on waking from a sleep (not by polling)
     */
    void workFound(long at, boolean slept) {
        if (!adapts || !idle) {
            return;
        }
        idle = false;
        if (!slept) {
            return; // polling paid (or was not needed): the window stays
        }
        if (at - idleSince > maxNanos) {
            long half = windowNanos / 2;
            windowNanos = half < START_NANOS ? 0 : half;
        } else {
            windowNanos = Math.min(maxNanos, Math.max(START_NANOS, 2 * windowNanos));
        }
    }

    /** @return the current window, in nanoseconds */
    long windowNanos() {
        return windowNanos;
    }
}
