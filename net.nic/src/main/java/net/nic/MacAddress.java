package net.nic;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import net.api.NetException;

/**
 * An Ethernet address as a 48-bit number, in the byte order of the wire (the first byte is the
 * most significant), so frames can be matched against it without allocating.
 */
record MacAddress(long bits) {

    static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    /**
     * Parses QEMU's {@code mac} property: six groups of two hex digits, separated by {@code :} or
     * {@code -}.
     *
     * @param model the NIC model, for QEMU's error text
     * @param text  the value given
     * @return the address
     * @throws NetException {@code Property 'MODEL.mac' doesn't take value 'TEXT'}
     */
    static MacAddress parse(String model, String text) throws NetException {
        if (text.length() != 17) {
            throw refused(model, text);
        }
        long bits = 0;
        for (int i = 0; i < 6; i++) {
            int at = i * 3;
            if (i < 5 && text.charAt(at + 2) != ':' && text.charAt(at + 2) != '-') {
                throw refused(model, text);
            }
            int high = hexDigit(text.charAt(at));
            int low = hexDigit(text.charAt(at + 1));
            if (high < 0 || low < 0) {
                throw refused(model, text);
            }
            bits = bits << 8 | high << 4 | low;
        }
        return new MacAddress(bits);
    }

    /** @return the value of an ASCII hex digit, or -1 (QEMU takes no other digits) */
    private static int hexDigit(char c) {
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    private static NetException refused(String model, String text) {
        return NetException.generic("Property '%s.mac' doesn't take value '%s'", model, text);
    }

    /**
     * @param frame a buffer
     * @param at    the absolute index of the address's first byte
     * @return the six bytes at {@code at} as a number
     */
    static long read(ByteBuffer frame, int at) {
        return (frame.getInt(at) & 0xffff_ffffL) << 16 | frame.getShort(at + 4) & 0xffffL;
    }

    /**
     * Writes an address where {@link #read} reads one.
     *
     * @param frame a buffer
     * @param at    the absolute index of the address's first byte
     * @param bits  the address, 48 bits
     */
    static void write(ByteBuffer frame, int at, long bits) {
        frame.putInt(at, (int) (bits >>> 16)).putShort(at + 4, (short) bits);
    }

    /** Writes the address at the buffer's position and moves past it. */
    void put(ByteBuffer frame) {
        write(frame, frame.position(), bits);
        frame.position(frame.position() + 6);
    }

    /** @return whether this is 00:00:00:00:00:00, which QEMU takes for "no address given" */
    boolean isZero() {
        return bits == 0;
    }

    /** @return whether the group bit (the lowest bit of the first byte) is set */
    boolean isMulticast() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    /** @return QEMU's form: lower case, colon separated */
    @Override
    public String toString() {
        String hex = HexFormat.of().toHexDigits(bits).substring(4);
        StringBuilder out = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            out.append(i == 0 ? "" : ":").append(hex, i, i + 2);
        }
        return out.toString();
    }
}
