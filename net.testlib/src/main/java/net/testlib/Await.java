package net.testlib;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.Supplier;

/** Polling for something a test cannot be told about (a file growing, a counter, a peer connecting), always bounded. */
public final class Await {

    /** The bound when a test names none: generous, since QEMU under TCG shares two cores with the build. */
    public static final Duration DEFAULT = Duration.ofSeconds(15);

    private static final long POLL_MILLIS = 10;

    /** What is awaited; it may throw, and a throw ends the wait (a broken condition never turns true). */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Await() {
    }

    /** Waits up to {@link #DEFAULT}; fails the test naming {@code what} when the condition never holds. */
    public static void until(Condition condition, String what) throws Exception {
        until(condition, DEFAULT, what);
    }

    public static void until(Condition condition, Duration limit, String what) throws Exception {
        until(condition, limit, what, () -> "");
    }

    /**
     * @param detail evaluated only on a timeout: what the failure message should show (QEMU's stderr,
     *               the frames seen so far)
     */
    public static void until(Condition condition, Duration limit, String what, Supplier<String> detail)
            throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                String more = detail.get();
                fail("timed out after " + describe(limit) + " waiting for " + what
                        + (more.isEmpty() ? "" : "\n" + more));
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** @return "15 s", or "500 ms" for a bound that is no whole number of seconds */
    private static String describe(Duration limit) {
        return limit.toMillis() % 1000 == 0 ? limit.toSeconds() + " s" : limit.toMillis() + " ms";
    }
}
