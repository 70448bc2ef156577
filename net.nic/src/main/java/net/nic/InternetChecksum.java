package net.nic;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) that IPv4 headers, ICMP and ICMPv6 carry: a ones' complement
 * sum of 16-bit words, summed with absolute gets so a frame is read where it lies.
 */
final class InternetChecksum {

    private InternetChecksum() {
    }

    /**
     * @param buffer the bytes
     * @param from   the absolute index of the first byte
     * @param length how many bytes; an odd last byte counts as the high byte of a word
     * @return the bytes' words added up, not yet folded: add more sums to it, then {@link #fold}
     */
    static long sum(ByteBuffer buffer, int from, int length) {
        long sum = 0;
        int end = from + length;
        int i = from;
        for (; i + 1 < end; i += 2) {
            sum += buffer.getShort(i) & 0xffff;
        }
        if (i < end) {
            sum += (buffer.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /**
     * @param sum words added up
     * @return the checksum to store: the ones' complement of the folded sum. Over data that carries
     *         its own correct checksum it is 0.
     */
    static short fold(long sum) {
        long folded = sum;
        while (folded >>> 16 != 0) {
            folded = (folded & 0xffff) + (folded >>> 16);
        }
        return (short) ~folded;
    }
}
