package net.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.Test;

class RepeatedLogTest {

    private static final long SECOND = 1_000_000_000L;

    /** What was logged, line by line. */
    private final RecordingLog out = new RecordingLog("test");
    private long now = 5 * SECOND;
    private final RepeatedLog failures = new RepeatedLog(out, System.Logger.Level.WARNING, 10 * SECOND, () -> now);

    @Test
    void theFirstIsLoggedThenOneLinePerIntervalWithTheCountLeftOut() {
        AtomicInteger made = new AtomicInteger();
        assertTrue(failures.log(() -> "bad frame " + made.incrementAndGet()));
        for (int i = 0; i < 100_000; i++) {
            now += 1000; // a frame every microsecond: 0.1 s in all
            assertFalse(failures.log(() -> "bad frame " + made.incrementAndGet()));
        }
        assertEquals(1, made.get(), "a message is made only when it is logged");
        now += 10 * SECOND;
        assertTrue(failures.log(() -> "bad frame " + made.incrementAndGet()));
        assertEquals(List.of("WARNING bad frame 1", "WARNING bad frame 2 (100000 more like this not logged)"), out.lines());
        assertEquals(100_002, failures.count());
    }

    @Test
    void aLaterProblemAfterAQuietIntervalIsLoggedAsItIs() {
        failures.log(() -> "accept failed");
        now += 11 * SECOND;
        failures.log(() -> "accept failed");
        now += 1;
        failures.log(() -> "accept failed");
        now += 10 * SECOND;
        failures.log(() -> "accept failed");
        assertEquals(List.of("WARNING accept failed", "WARNING accept failed",
                "WARNING accept failed (1 more like this not logged)"), out.lines());
    }

    @Test
    void theClockMayStartAnywhere() {
        now = Long.MIN_VALUE + 3; // nanoTime's origin is arbitrary: only differences count
        assertTrue(failures.log(() -> "x"));
        now = Long.MIN_VALUE + 4;
        assertFalse(failures.log(() -> "x"));
    }

    @Test
    void aStackTraceGoesWithTheLinesThatAreLogged() {
        IllegalStateException e = new IllegalStateException("broken");
        failures.log(() -> "loop failed", e);
        failures.log(() -> "loop failed", e);
        now += 10 * SECOND;
        failures.log(() -> "loop failed", e);
        assertEquals(List.of("WARNING loop failed " + e, "WARNING loop failed (1 more like this not logged) " + e),
                out.lines());
    }
}
