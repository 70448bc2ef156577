package net.driverkit;

import java.math.BigInteger;
import net.api.NetException;

/**
 * QEMU's parsing of unsigned integer options given as text (the command line, configuration
 * files): C base prefixes ({@code 0x} hex, a leading {@code 0} octal), no sign, and its two
 * messages: one for what is no uint64 at all, one for what overflows the member's C type.
 */
public final class QemuNumbers {

    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private QemuNumbers() {
    }

    /**
     * @param name  the QAPI member
     * @param value its text, or null when absent
     * @return the value as unsigned 64 bits, or null when absent
     * @throws NetException "Parameter 'NAME' expects a uint64 value"
     */
    public static Long uint64(String name, String value) throws NetException {
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
    public static Long uint32(String name, String value) throws NetException {
        Long n = uint64(name, value);
        if (n != null && (n >>> 32) != 0) {
            throw NetException.generic("Parameter '%s' expects uint32_t", name);
        }
        return n;
    }

    /**
     * @param name  the QAPI member
     * @param value its text, or null when absent
     * @return the value, or null when absent
     * @throws NetException as {@link #uint64}, or "Parameter 'NAME' expects uint16_t" above 65535
     */
    public static Integer uint16(String name, String value) throws NetException {
        Long n = uint64(name, value);
        if (n != null && (n >>> 16) != 0) {
            throw NetException.generic("Parameter '%s' expects uint16_t", name);
        }
        return n == null ? null : n.intValue();
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
