package net.backend.user;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The C library's address parsers as QEMU uses them, without name lookups. */
final class Inet {

    private Inet() {
    }

    /**
     * {@code inet_aton}: one to four parts in C's bases ({@code 10}, {@code 0x0a}, {@code 012}), the
     * last one filling the remaining bytes ({@code 10.1} is 10.0.0.1).
     *
     * @param text the text
     * @return the address as a host-order int, or null when it does not parse
     */
    static Integer aton(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long address = 0;
        for (int i = 0; i < parts.length; i++) {
            Long part = cNumber(parts[i]);
            boolean last = i == parts.length - 1;
            long limit = last ? (1L << (8 * (4 - i))) - 1 : 255;
            if (part == null || part > limit) {
                return null;
            }
            address |= last ? part : part << (8 * (3 - i));
        }
        return (int) address;
    }

    private static Long cNumber(String s) {
        boolean hex = s.startsWith("0x") || s.startsWith("0X");
        boolean octal = !hex && s.length() > 1 && s.startsWith("0");
        int radix = hex ? 16 : octal ? 8 : 10;
        String digits = hex ? s.substring(2) : octal ? s.substring(1) : s;
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> Character.digit(c, radix) >= 0)) {
            return null;
        }
        return Long.parseLong(digits, radix);
    }

    /**
     * {@code inet_pton(AF_INET6)}: a literal IPv6 address only.
     *
     * @param text the text
     * @return the 16 bytes, or null when it does not parse
     */
    static byte[] pton6(String text) {
        if (text.isEmpty() || !text.contains(":") || !text.chars().allMatch(c -> Character.digit(c, 16) >= 0
                || c == ':' || c == '.')) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text); // a literal: no lookup
            return a instanceof Inet6Address ? a.getAddress() : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** @return the address in dotted form */
    static String ntoa(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xff) + "." + (address >>> 8 & 0xff) + "." + (address & 0xff);
    }

    /** @return whether {@code a} and {@code b} share their first {@code bits} bits */
    static boolean sameNet(byte[] a, byte[] b, int bits) {
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }
}
