package net.console;

/**
 * The words of {@code net:stats [NAME] [--watch [SECONDS]] [--reset] [--help]}, in any order. A
 * number after {@code --watch} is its interval; QEMU's ids start with a letter, so it is never a name.
 *
 * @param name     the netdev or NIC asked for, or null for all
 * @param watch    whether to draw again every interval
 * @param interval how often, one second unless given
 * @param reset    whether to count from now on in this session
 * @param help     whether help was asked for
 * @param error    what to print instead, when the words are wrong; else null
 */
record StatsRequest(String name, boolean watch, Interval interval, boolean reset, boolean help, String error) {

    private static final String COMMAND = "net:stats";

    /**
     * @param words the words after {@code net:stats}
     * @return what they ask for, or the error line
     */
    static StatsRequest parse(String... words) {
        String name = null;
        boolean watch = false;
        boolean reset = false;
        boolean help = false;
        Interval interval = Interval.DEFAULT;
        for (int i = 0; i < words.length; i++) {
            String word = words[i];
            switch (word) {
                case "--watch" -> {
                    watch = true;
                    Interval given = i + 1 < words.length ? Interval.parse(words[i + 1]) : null;
                    if (given != null) {
                        if (!given.valid()) {
                            return failed(Interval.RANGE);
                        }
                        interval = given;
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
        return new StatsRequest(name, watch, interval, reset, help, null);
    }

    private static StatsRequest failed(String message) {
        return new StatsRequest(null, false, null, false, false,
                COMMAND + ": " + message + "\nTry \"help " + COMMAND + "\" for more information");
    }
}
