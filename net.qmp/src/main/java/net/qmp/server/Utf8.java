package net.qmp.server;

/**
 * QEMU's view of UTF-8 in QMP strings: the code points it accepts (no surrogates, no
 * noncharacters, nothing past U+10FFFF) and the sequences it decodes (no overlong forms except
 * {@code C0 80}, its spelling of U+0000).
 */
final class Utf8 {

    private Utf8() {
    }

    /** @return whether QEMU accepts the code point in a string */
    static boolean isValid(int cp) {
        return cp >= 0 && cp <= 0x10FFFF
                && (cp & 0xFFFFF800) != 0xD800
                && !(cp >= 0xFDD0 && cp <= 0xFDEF)
                && (cp & 0xFFFE) != 0xFFFE;
    }

    /**
     * Decodes one code point.
     *
     * @param b     the bytes
     * @param at    where the sequence starts
     * @param limit where the bytes end
     * @return the code point (-1 when the sequence is invalid) and the index after the sequence
     */
    static int[] decode(byte[] b, int at, int limit) {
        int first = b[at] & 0xFF;
        if (first < 0x80) {
            return new int[] {first, at + 1};
        }
        if (first >= 0xFE || (first & 0x40) == 0) {
            return new int[] {-1, at + 1}; // impossible byte, or a continuation byte first
        }
        int length = Integer.numberOfLeadingZeros(~first << 24);
        int cp = first & (0xFF >> (length + 1));
        int p = at + 1;
        for (int k = 1; k < length; k++, p++) {
            if (p >= limit || (b[p] & 0xC0) != 0x80) {
                return new int[] {-1, p};
            }
            cp = cp << 6 | b[p] & 0x3F;
        }
        int shortest = length == 2 ? 0x80 : length == 3 ? 0x800 : length == 4 ? 0x10000 : Integer.MAX_VALUE;
        boolean overlong = cp < shortest && !(cp == 0 && length == 2);
        return new int[] {isValid(cp) && !overlong ? cp : -1, p};
    }

    /**
     * Reads bytes that need not be UTF-8 as QEMU prints them in an error: as a C string (up to
     * the first NUL), each sequence it cannot decode one U+FFFD.
     *
     * @param b      the bytes
     * @param length how many
     * @return the text
     */
    static String lenient(byte[] b, int length) {
        int end = 0;
        while (end < length && b[end] != 0) {
            end++;
        }
        StringBuilder text = new StringBuilder(end);
        for (int i = 0; i < end;) {
            int[] decoded = decode(b, i, end);
            text.appendCodePoint(decoded[0] < 0 ? 0xFFFD : decoded[0]);
            i = decoded[1];
        }
        return text.toString();
    }
}
