package net.backend.l2tpv3;

import java.math.BigInteger;
import net.api.NetException;

/**
 * QEMU's integer option parsing: C base prefixes ({@code 0x} hex, a leading {@code 0} octal), no
 * sign, and its two messages: one for what is no uint64 at all, one for what overflows the member.
 */
final class Numbers {

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private Numbers() {
    }

    /**
     * @param name  the QAPI member
     * @param value its text, or null when absent
     * @return the value as unsigned 64 bits, or null when absent
     * @throws NetException "Parameter 'NAME' expects a uint64 value"
     */
    static Long uint64(String name, String value) throws NetException {
        if (value == null) {
            return null;
        }
        BigInteger n = parse(value);
        if (n == null || n.compareTo(UINT64_LIMIT) >= 0) {
            throw NetException.generic("Parameter '%s' expects a uint64 value", name);
        }
        return n.longValue();
    }

    /**
     * @param name  the QAPI member
     * @param value its text, or null when absent
     * @return the value, or null when absent
     * @throws NetException as {@link #uint64}, or "Parameter 'NAME' expects uint32_t" above 2^32-1
     */
    static Long uint32(String name, String value) throws NetException {
        Long n = uint64(name, value);
        if (n != null && (n >>> 32) != 0) {
            throw NetException.generic("Parameter '%s' expects uint32_t", name);
        }
        return n;
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
