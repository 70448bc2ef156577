package net.hub.loop;

import static net.hub.loop.SpinPolicy.MAX_BACK_OFF_NANOS;
import static net.hub.loop.SpinPolicy.MIN_BACK_OFF_NANOS;
import static net.hub.loop.SpinPolicy.PREEMPTED_NANOS;
import static net.hub.loop.SpinPolicy.START_NANOS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The adaptive poll after I/O, driven with made-up clock readings: it grows while the next work
 * comes soon after the loop slept, shrinks while it comes late, and stops after a preemption.
 */
class SpinPolicyTest {

    private static final long MAX = 50_000;
    /** The clock; it starts near the end of its range, so that the longer tests see it wrap. */
    private long now = Long.MAX_VALUE - MAX_BACK_OFF_NANOS;

    @Test
    void aLoopPollsOnlyOnceSleepingHasProvedTooLong() {
        SpinPolicy spin = new SpinPolicy(MAX, true, now);
        assertEquals(0, window(spin), "no polling before anything came back quickly");
        sleepThenWork(spin, 20_000);
        assertEquals(START_NANOS, window(spin));
        sleepThenWork(spin, 20_000);
        assertEquals(2 * START_NANOS, window(spin));
        sleepThenWork(spin, 20_000);
        sleepThenWork(spin, 20_000);
        assertEquals(MAX, window(spin), "never beyond patchbay.loop.spin.us");
    }

    @Test
    void workFoundByPollingKeepsTheWindowAndLateWorkHalvesItToNone() {
        SpinPolicy spin = grown();
        assertEquals(MAX, afterIo(spin) - now);
        now += 5_000;
        spin.polled(now - 1_000, now);
        spin.workFound(now, false);
        assertEquals(MAX, window(spin), "polling paid");

        sleepThenWork(spin, MAX + 1);
        assertEquals(MAX / 2, window(spin));
        sleepThenWork(spin, 1_000_000);
        assertEquals(MAX / 4, window(spin), "12.5 us, still at least the start");
        sleepThenWork(spin, 1_000_000);
        assertEquals(0, window(spin), "below the start, none");
        sleepThenWork(spin, 1_000_000);
        assertEquals(0, window(spin));
    }

    @Test
    void onlyWorkAfterIoCounts() {
        SpinPolicy spin = grown();
        afterIo(spin);
        now += 1_000_000;
        spin.workFound(now, true);
        assertEquals(MAX / 2, window(spin));
        // A task or a timer later, with no I/O in between: no new wait was measured.
        now += 1_000_000;
        spin.workFound(now, true);
        assertEquals(MAX / 2, window(spin));
    }

    @Test
    void aPreemptedPollStopsPollingForABackOffThatDoublesWhileItRecurs() {
        SpinPolicy spin = grown();
        preemptedWhilePolling(spin);
        assertEquals(0, afterIo(spin) - now, "no polling right after a preemption");
        // Short waits during the back-off grow the window again, but it is not used yet.
        sleepThenWork(spin, 20_000);
        sleepThenWork(spin, 20_000);
        now += MIN_BACK_OFF_NANOS;
        assertEquals(2 * START_NANOS, afterIo(spin) - now, "polling again after the back-off");
        spin.workFound(now, false);

        preemptedWhilePolling(spin); // again, soon after the back-off ended
        now += MIN_BACK_OFF_NANOS;
        assertEquals(0, afterIo(spin) - now, "twice as long this time");
        spin.workFound(now, false);
        now += MIN_BACK_OFF_NANOS;
        for (int i = 0; i < 10; i++) {
            sleepThenWork(spin, 20_000);
            preemptedWhilePolling(spin);
        }
        now += MAX_BACK_OFF_NANOS - 1;
        assertEquals(0, afterIo(spin) - now, "at most a second");
        spin.workFound(now, false);
        now += 1;
        sleepThenWork(spin, 20_000);
        assertEquals(START_NANOS, afterIo(spin) - now);
        spin.workFound(now, false);

        // A preemption long after the last back-off ended starts from the shortest again.
        now += MAX_BACK_OFF_NANOS;
        preemptedWhilePolling(spin);
        now += MIN_BACK_OFF_NANOS;
        sleepThenWork(spin, 20_000);
        assertEquals(START_NANOS, afterIo(spin) - now);
    }

    @Test
    void aSlowPollShorterThanATimeSliceIsNoPreemption() {
        SpinPolicy spin = grown();
        afterIo(spin);
        spin.polled(now, now + PREEMPTED_NANOS);
        assertEquals(MAX, window(spin));
    }

    @Test
    void zeroNeverPollsAndAFixedWindowNeverAdapts() {
        SpinPolicy never = new SpinPolicy(0, true, now);
        for (int i = 0; i < 5; i++) {
            sleepThenWork(never, 1_000);
        }
        assertEquals(0, afterIo(never) - now);

        SpinPolicy fixed = new SpinPolicy(MAX, false, now);
        sleepThenWork(fixed, 1_000_000);
        preemptedWhilePolling(fixed);
        assertEquals(MAX, afterIo(fixed) - now);
    }

    private SpinPolicy grown() {
        SpinPolicy spin = new SpinPolicy(MAX, true, now);
        for (int i = 0; i < 4; i++) {
            sleepThenWork(spin, 20_000);
        }
        assertEquals(MAX, window(spin));
        return spin;
    }

    private long afterIo(SpinPolicy spin) {
        return spin.afterIo(now);
    }

    /** I/O, then the loop sleeps and is woken with work {@code wait} ns later. */
    private void sleepThenWork(SpinPolicy spin, long wait) {
        afterIo(spin);
        now += wait;
        spin.workFound(now, true);
    }

    private void preemptedWhilePolling(SpinPolicy spin) {
        afterIo(spin);
        long from = now;
        now += PREEMPTED_NANOS + 1;
        spin.polled(from, now);
    }

    private static long window(SpinPolicy spin) {
        return spin.windowNanos();
    }
}
