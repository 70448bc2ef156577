package net.driverkit;

import java.math.BigInteger;
import net.api.NetException;

/**
 * QEMU's parsing of unsigned integer options given as text (the command line, configuration
 * files): C base prefixes ({@code 0x} hex, a leading {@code 0} octal), no sign, and its two
 * messages: one for what is no uint64 at all, one for what overflows the member's C type; and
 * keyval's reading of the same, which takes a sign and words its messages differently.
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

    /**
     * A uint16 member of options QEMU parses with keyval ({@code -netdev stream} and
     * {@code dgram}): there any number C's {@code strtoull} reads is taken, a minus sign wrapping
     * around as in C, and the range is checked afterwards.
     *
     * @param path  the member's dotted path ({@code addr.to})
     * @param value its text, or null when absent
     * @return the value, or null when absent
     * @throws NetException "Parameter 'PATH' expects integer" for what is no number, or
     *                      "Parameter 'MEMBER' expects uint16_t" (the last segment) above 65535
     */
    public static Integer keyvalUint16(String path, String value) throws NetException {
        if (value == null) {
            return null;
        }
        String s = value.stripLeading();
        boolean negative = s.startsWith("-");
        BigInteger n = parse(negative || s.startsWith("+") ? s.substring(1) : s);
        if (n == null || n.compareTo(UINT64_LIMIT) >= 0) {
            throw NetException.generic("Parameter '%s' expects integer", path);
        }
        if (negative) {
            n = UINT64_LIMIT.subtract(n).mod(UINT64_LIMIT);
        }
        if (n.bitLength() > 16) {
            throw NetException.generic("Parameter '%s' expects uint16_t", path.substring(path.lastIndexOf('.') + 1));
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
