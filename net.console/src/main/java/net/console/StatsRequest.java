package net.console;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The words of {@code net:stats [NAME] [--watch [SECONDS]] [--reset] [--help]}, in any order. A
 * number after {@code --watch} is its interval; QEMU's ids start with a letter, so it is never a name.
 *
 * @param name    the netdev or NIC asked for, or null for all
 * @param watch   whether to draw again every interval
 * @param seconds the interval as typed, {@code 1} unless given
 * @param reset   whether to count from now on in this session
 * @param help    whether help was asked for
 * @param error   what to print instead, when the words are wrong; else null
 */
record StatsRequest(String name, boolean watch, BigDecimal seconds, boolean reset, boolean help, String error) {

    private static final String COMMAND = "net:stats";
    /** Shorter than the runtime's own sampling of one second is allowed, but not to spin. */
    private static final BigDecimal SHORTEST = new BigDecimal("0.1");
    private static final BigDecimal LONGEST = new BigDecimal(86_400);

    /**
     * @param words the words after {@code net:stats}
     * @return what they ask for, or the error line
     */
    static StatsRequest parse(String... words) {
        String name = null;
        boolean watch = false;
        boolean reset = false;
        boolean help = false;
        BigDecimal seconds = BigDecimal.ONE;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            switch (word) {
                case "--watch" -> {
                    watch = true;
                    BigDecimal given = i + 1 < words.length ? number(words[i + 1]) : null;
                    if (given != null) {
                        if (given.compareTo(SHORTEST) < 0 || given.compareTo(LONGEST) > 0) {
                            return failed("Parameter 'SECONDS' expects a number from 0.1 to 86400");
                        }
                        seconds = given;
                        i++;
                    }
                }
                case "--reset" -> reset = true;
                case "--help", "-?" -> help = true;
                default -> {
                    if (word.startsWith("-")) {
                        return failed("Invalid parameter '" + word + "'");
                    }
                    if (name != null) {
                        return new StatsRequest(null, false, null, false, false, NetCommands.extraneous(COMMAND));
                    }
                    name = word;
                }
            }
        }
        return new StatsRequest(name, watch, seconds, reset, help, null);
    }

    /** @return the interval */
    Duration interval() {
        return Duration.ofNanos(seconds.movePointRight(9).longValue());
    }

    /** @return the interval for people, {@code 1 s} or {@code 0.5 s} */
    String every() {
        return seconds.stripTrailingZeros().toPlainString() + " s";
    }

    private static StatsRequest failed(String message) {
        return new StatsRequest(null, false, null, false, false,
                COMMAND + ": " + message + "\nTry \"help " + COMMAND + "\" for more information");
    }

    private static BigDecimal number(String word) {
        try {
            return new BigDecimal(word);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
