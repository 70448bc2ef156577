package net.backend.vde;

import java.math.BigInteger;
import net.api.NetException;

/**
 * QEMU's integer option parsing for a uint16 member: C base prefixes ({@code 0x} hex, a leading
 * {@code 0} octal), no sign, and its two messages: one for what is no uint64 at all, one for what
 * does not fit 16 bits.
 */
final class Numbers {

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private Numbers() {
    }

    /**
     * @param name     the QAPI member
     * @param value    its text, or null when absent
     * @param fallback the value when absent
     * @return the value
     * @throws NetException "Parameter 'NAME' expects a uint64 value" or "... expects uint16_t"
     */
    static int uint16(String name, String value, int fallback) throws NetException {
        if (value == null) {
            return fallback;
        }
        BigInteger n = parse(value);
        if (n == null || n.compareTo(UINT64_LIMIT) >= 0) {
            throw NetException.generic("Parameter '%s' expects a uint64 value", name);
        }
        if (n.bitLength() > 16) {
            throw NetException.generic("Parameter '%s' expects uint16_t", name);
        }
        return n.intValue();
    }

    private static BigInteger parse(String text) {
        String s = text.strip();
        int radix = 10;
        if (s.startsWith("0x") || s.startsWith("0X")) {
            radix = 16;
            s = s.substring(2);
        } else if (s.length() > 1 && s.startsWith("0")) {
            radix = 8;
            s = s.substring(1);
        }
        if (s.isEmpty() || s.charAt(0) == '+' || s.charAt(0) == '-') {
            return null;
        }
        try {
            return new BigInteger(s, radix);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
