package net.console;

import java.util.Locale;

/**
 * Rates for people: three significant digits and an SI prefix ({@code k}, {@code M}, {@code G},
 * {@code T}, powers of 1000 as network rates are counted), so {@code 1234567} bits per second is
 * {@code 1.23M}.
 */
final class Units {

    private static final String[] PREFIXES = {"", "k", "M", "G", "T"};

    private Units() {
    }

    /**
     * @param value a rate, 0 or more
     * @return it in at most four characters and a prefix: {@code 0}, {@code 0.5}, {@code 999},
     *         {@code 1.50k}, {@code 12.3M}, {@code 100G}
     */
    static String si(double value) {
        if (!(value >= 0.05)) { // also NaN
            return "0";
        }
        int prefix = 0;
        double scaled = value;
        // Pick the prefix after rounding, so that 999.9k is 1.00M rather than 1000k.
        while (prefix < PREFIXES.length - 1 && Math.round(scaled) >= 1000) {
            scaled /= 1000;
            prefix++;
        }
        String digits;
        if (prefix == 0) {
            digits = scaled < 10 && scaled != Math.rint(scaled) ? String.format(Locale.ROOT, "%.1f", scaled)
                    : Long.toString(Math.round(scaled));
        } else if (scaled < 9.995) {
            digits = String.format(Locale.ROOT, "%.2f", scaled);
        } else if (scaled < 99.95) {
            digits = String.format(Locale.ROOT, "%.1f", scaled);
        } else {
            digits = Long.toString(Math.round(scaled));
        }
        return digits + PREFIXES[prefix];
    }
}
