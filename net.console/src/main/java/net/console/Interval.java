package net.console;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * How often a watch draws, as typed: whole or decimal seconds, from 0.1 (shorter than the
 * runtime's own sampling of one second, which is allowed, but not so short that it spins) to a day.
 *
 * @param seconds the seconds as typed
 */
record Interval(BigDecimal seconds) {

    /** One second, as Gogo's and Linux' {@code watch} default to. */
    static final Interval DEFAULT = new Interval(BigDecimal.ONE);
    /** What a wrong interval gets, in QEMU's words for a parameter. */
    static final String RANGE = "Parameter 'SECONDS' expects a number from 0.1 to 86400";

    private static final BigDecimal SHORTEST = new BigDecimal("0.1");
    private static final BigDecimal LONGEST = new BigDecimal(86_400);

    /**
     * @param word a word typed
     * @return it as an interval, or null when it is no number (it may be a name)
     */
    static Interval parse(String word) {
        try {
            return new Interval(new BigDecimal(word));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** @return whether it is from 0.1 s to a day */
    boolean valid() {
        return seconds.compareTo(SHORTEST) >= 0 && seconds.compareTo(LONGEST) <= 0;
    }

    /** @return it as a duration */
    Duration duration() {
        return Duration.ofNanos(seconds.movePointRight(9).longValue());
    }

    /** @return it for people: {@code 1 s}, {@code 0.5 s} */
    @Override
    public String toString() {
        return seconds.stripTrailingZeros().toPlainString() + " s";
    }
}
