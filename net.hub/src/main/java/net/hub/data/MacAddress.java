package net.hub.data;

import java.util.HexFormat;

/** Ethernet addresses as QEMU reads them from {@code -nic mac=} and {@code -net nic,macaddr=}. */
public final class MacAddress {

    /** The length of an Ethernet address. */
    public static final int LENGTH = 6;

    private MacAddress() {
    }

    /**
     * Reads an address QEMU's way: six hex fields of at most two digits each, separated by
     * {@code :} or {@code -}, or one number up to {@code 0xffffff} (decimal, octal or hex) that sets
     * the last three bytes of an address otherwise zero.
     *
     * @param text the address as given
     * @return its six bytes, or null when QEMU would say {@code invalid syntax for ethernet address}
     */
    public static byte[] parse(String text) {
        byte[] mac = new byte[LENGTH];
        Long offset = number(text);
        if (offset != null && offset >= 0 && offset <= 0xFFFFFF) {
            mac[3] = (byte) (offset >> 16);
            mac[4] = (byte) (offset >> 8);
            mac[5] = (byte) (offset & 0xFF);
            return mac;
        }
        String[] fields = text.split("[:-]", -1);
        if (fields.length != LENGTH) {
            return null;
        }
        for (int i = 0; i < LENGTH; i++) {
            String f = fields[i];
            // strtol: optional leading blanks and sign, an optional 0x, then hex digits (none reads as 0)
            String digits = f.strip();
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                digits = digits.substring(2);
            }
            if (!digits.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80) || digits.length() > 16) {
                return null;
            }
            mac[i] = digits.isEmpty() ? 0 : (byte) Long.parseUnsignedLong(digits, 16);
        }
        return mac;
    }

    /**
     * @param mac six bytes
     * @return whether it is a multicast address (odd first byte), which no NIC may have
     */
    public static boolean isMulticast(byte[] mac) {
        return (mac[0] & 1) != 0;
    }

    /**
     * @param mac six bytes
     * @return lower case {@code xx:xx:xx:xx:xx:xx}, as QEMU prints it
     */
    public static String format(byte[] mac) {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }

    /** C's {@code strtol(text, &end, 0)} consuming the whole text, else null. */
    private static Long number(String text) {
        try {
            if (text.startsWith("0x") || text.startsWith("0X")) {
                return Long.parseLong(text.substring(2), 16);
            }
            if (text.length() > 1 && text.startsWith("0")) {
                return Long.parseLong(text.substring(1), 8);
            }
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
