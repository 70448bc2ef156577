package net.itest;

import java.time.Duration;
import java.util.function.Supplier;

/** Bounded polling: every wait in these tests ends, with a message saying what did not happen. */
final class Await {

    /** Long enough for a loaded 2-core CI machine, short enough that a failure is quick. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final long POLL_MILLIS = 20;

    /** A condition that may throw while it is not yet true (e.g. a client that does not exist yet). */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /**
     * Waits up to {@link #TIMEOUT}.
     *
     * @param what      what is awaited, for the failure message
     * @param condition the condition
     */
    static void await(String what, Condition condition) {
        await(TIMEOUT, what, condition);
    }

    /**
     * Polls until the condition holds.
     *
     * @param timeout   how long at most
     * @param what      what is awaited, for the failure message
     * @param condition the condition; an exception counts as "not yet"
     * @throws AssertionError when the time is up, naming the last exception if any
     */
    static void await(Duration timeout, String what, Condition condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            try {
                if (condition.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                // No cause attached: Pax Exam would report the cause instead of this message.
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + (last == null ? "" : " (last: " + last + ")"));
            }
            sleep(POLL_MILLIS);
        }
    }

    /**
     * Waits for a value to appear.
     *
     * @param what  what is awaited
     * @param value the value, null while not there
     * @param <T>   its type
     * @return the value
     */
    static <T> T value(String what, Supplier<T> value) {
        Object[] holder = new Object[1];
        await(what, () -> (holder[0] = value.get()) != null);
        @SuppressWarnings("unchecked")
        T t = (T) holder[0];
        return t;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
