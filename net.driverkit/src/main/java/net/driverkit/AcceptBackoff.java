package net.driverkit;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * What a listening socket does when accept fails: stop trying for a while instead of trying again
 * at once. A connection waiting in the backlog keeps the listener ready, so a listener that tries
 * again at once while accept cannot succeed (no descriptor free: {@code EMFILE}, {@code ENFILE};
 * no memory) spins a CPU and logs without end. With this, each failure pauses accepting for a
 * delay that doubles from {@value #FIRST_MILLIS} ms to {@value #LAST_MILLIS} ms; a run of failures
 * (an episode) is logged once when it starts and once when an accept succeeds again, and every
 * failure is counted. The listener itself stays open, so its clients reach it again by themselves
 * once descriptors are free.
 *
 * <p>One per listener. A listener served by an event loop pauses with {@link #pause}; one served
 * by a thread of its own sleeps for what {@link #failed} returns.
 */
public final class AcceptBackoff {

    /** The first pause, in milliseconds. */
    public static final long FIRST_MILLIS = 100;
    /** The longest pause, in milliseconds. */
    public static final long LAST_MILLIS = 1000;

    private final System.Logger log;
    private final String listener;
    private long delay;
    private long failures;
    private long episodeFailures;
    private NetEventLoop.Cancellable resume;

    /**
     * @param log      where an episode's start and end go
     * @param listener what the lines name, e.g. {@code "QMP endpoint unix:/run/qmp.sock"}
     */
    public AcceptBackoff(System.Logger log, String listener) {
        this.log = log;
        this.listener = listener;
    }

    /**
     * Counts a failed accept; the first of an episode is logged.
     *
     * @param e what accept threw
     * @return how long to pause accepting, in milliseconds
     */
    public synchronized long failed(IOException e) {
        failures++;
        if (episodeFailures++ == 0) {
            delay = FIRST_MILLIS;
            log.log(System.Logger.Level.WARNING, listener + ": accept failed: " + e.getMessage()
                    + "; accepting paused, retried every " + LAST_MILLIS + " ms at most until it succeeds");
        } else {
            delay = Math.min(LAST_MILLIS, delay * 2);
        }
        return delay;
    }

    /** An accept succeeded: ends an episode of failures, logging how many it had. */
    public synchronized void accepted() {
        if (episodeFailures > 0) {
            log.log(System.Logger.Level.INFO, listener + ": accepting again after " + episodeFailures
                    + " failed attempt" + (episodeFailures == 1 ? "" : "s"));
            episodeFailures = 0;
        }
    }

    /** @return the failed accepts so far */
    public synchronized long failures() {
        return failures;
    }

    /**
     * Counts a failed accept of a listener an event loop watches, stops watching it for the
     * pause, then runs {@code then} on the loop (which watches it again if it still should).
     * Call on the loop.
     *
     * @param loop      the listener's loop
     * @param listening its registration, whose interest is cleared
     * @param e         what accept threw
     * @param then      what to do when the pause is over
     */
    public void pause(NetEventLoop loop, IoRegistration listening, IOException e, Runnable then) {
        long millis = failed(e);
        listening.interestOps(0);
        cancel();
        this.resume = loop.schedule(() -> {
            resume = null;
            then.run();
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** Drops a pending resume: the listener is closing. Call on the loop. */
    public void cancel() {
        if (resume != null) {
            resume.cancel();
            resume = null;
        }
    }
}
