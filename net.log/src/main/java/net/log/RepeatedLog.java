package net.log;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One problem from one source that may repeat per frame or per event (an accept that fails, a bad
 * frame on a connection, a read error, a reconnection that fails): its first occurrence is logged,
 * then at most one line per interval, which says how many occurrences were left out since the
 * last line. Every occurrence is counted. A peer that sends garbage at line rate thus costs one
 * log line per interval, not one per frame. Thread-safe.
 */
public final class RepeatedLog {

    /** The interval unless told otherwise. */
    public static final long DEFAULT_INTERVAL_SECONDS = 10;

    private final System.Logger log;
    private final System.Logger.Level level;
    private final long intervalNanos;
    private final LongSupplier clock;
    private long count;
    private long suppressed;
    private long lastLogged;

    /**
     * @param log   where the lines go
     * @param level their level
     */
    public RepeatedLog(System.Logger log, System.Logger.Level level) {
        this(log, level, TimeUnit.SECONDS.toNanos(DEFAULT_INTERVAL_SECONDS), System::nanoTime);
    }

    RepeatedLog(System.Logger log, System.Logger.Level level, long intervalNanos, LongSupplier clock) {
        this.log = log;
        this.level = level;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    /**
     * Counts one occurrence and logs it unless a line went out less than an interval ago.
     *
     * @param message the occurrence's text, made only when it is logged
     * @return whether a line was logged
     */
    public boolean log(Supplier<String> message) {
        return log(message, null);
    }

    /**
     * Counts one occurrence and logs it, with its stack trace, unless a line went out less than an
     * interval ago.
     *
     * @param message the occurrence's text, made only when it is logged
     * @param thrown  what was thrown, or null
     * @return whether a line was logged
     */
    public boolean log(Supplier<String> message, Throwable thrown) {
        long left;
        synchronized (this) {
            long now = clock.getAsLong();
            count++;
            if (count > 1 && now - lastLogged < intervalNanos) {
                suppressed++;
                return false;
            }
            lastLogged = now;
            left = suppressed;
            suppressed = 0;
        }
        String text = message.get();
        log.log(level, left == 0 ? text : text + " (" + left + " more like this not logged)", thrown);
        return true;
    }

    /** @return the occurrences so far, logged or not */
    public synchronized long count() {
        return count;
    }
}
