package net.backend.socket;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import net.api.NetException;

/**
 * The {@code host:port} form of {@code -netdev socket} (IPv4 only), parsed with QEMU's rules and
 * words: split at the first {@code :}, an empty host is 0.0.0.0, a host starting with a digit must
 * be an {@code inet_aton} address ({@code 1.2.3} is 1.2.0.3), the port is read like C's
 * {@code strtol(p, &end, 0)} and cut to 16 bits as {@code htons} does.
 *
 * <p>Names are not looked up: a DNS query would block the event loop. {@code localhost} is taken as
 * 127.0.0.1; any other name fails with QEMU's {@code can't resolve host address} text.
 */
final class HostPort {

    private HostPort() {
    }

    /**
     * @param text e.g. {@code 127.0.0.1:11122} or {@code :11122}
     * @return the IPv4 socket address
     * @throws NetException GenericError worded as QEMU words a bad address
     */
    static InetSocketAddress parse(String text) throws NetException {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw NetException.generic("host address '%s' doesn't contain ':' separating host from port", text);
        }
        String host = text.substring(0, colon);
        InetAddress address;
        if (host.isEmpty()) {
            address = ipv4(0);
        } else if (host.charAt(0) >= '0' && host.charAt(0) <= '9') {
            address = parseIPv4(host);
            if (address == null) {
                throw NetException.generic("host address '%s' is not a valid IPv4 address", host);
            }
        } else if (host.equals("localhost")) {
            address = InetAddress.getLoopbackAddress();
        } else {
            throw NetException.generic("can't resolve host address '%s'", host);
        }
        String port = text.substring(colon + 1);
        long value = strtol(port);
        if (value == NO_DIGITS) {
            throw NetException.generic("port number '%s' is invalid", port);
        }
        return new InetSocketAddress(address, (int) (value & 0xffff));
    }

    /**
     * C's {@code inet_aton}: one to four parts, each decimal, {@code 0x} hex or leading-0 octal,
     * the last part filling the remaining bytes.
     *
     * @param text e.g. {@code 127.0.0.1}, {@code 127.1}, {@code 0x7f000001}
     * @return the address, or null when it is none
     */
    static Inet4Address parseIPv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return null;
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = unsignedPart(parts[i]);
            if (values[i] < 0) {
                return null;
            }
        }
        long result = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (values[i] > 0xff) {
                return null;
            }
            result |= values[i] << (24 - 8 * i);
        }
        long last = values[parts.length - 1];
        long lastMax = 0xffffffffL >>> (8 * (parts.length - 1));
        if (last > lastMax) {
            return null;
        }
        return ipv4((int) (result | last));
    }

    /**
     * @param address an IPv4 socket address
     * @return {@code A.B.C.D:PORT}
     */
    static String format(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /** The result of {@link #strtol} when no digits were read. */
    private static final long NO_DIGITS = Long.MIN_VALUE;

    /** C's {@code strtol(text, &end, 0)}: leading blanks, a sign, base by prefix; trailing text ignored. */
    private static long strtol(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        int radix = 10;
        if (i + 1 < n && text.charAt(i) == '0' && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X')
                && i + 2 < n && Character.digit(text.charAt(i + 2), 16) >= 0) {
            radix = 16;
            i += 2;
        } else if (i < n && text.charAt(i) == '0') {
            radix = 8;
        }
        long value = 0;
        int start = i;
        while (i < n && Character.digit(text.charAt(i), radix) >= 0) {
            // strtol saturates at LONG_MAX; a port is cut to 16 bits anyway.
            value = Math.min(value * radix + Character.digit(text.charAt(i), radix), Integer.MAX_VALUE);
            i++;
        }
        if (i == start) {
            return NO_DIGITS;
        }
        return negative ? -value : value;
    }

    /** One part of an inet_aton address, or -1 when it is not a complete number. */
    private static long unsignedPart(String part) {
        int radix = 10;
        String digits = part;
        if (part.length() > 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() > 1 && part.startsWith("0")) {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty() || digits.length() > 11) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            value = value * radix + d;
        }
        return value;
    }

    private static Inet4Address ipv4(int value) {
        byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
