package net.testlib;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Ethernet frames for tests: known test frames and readiness probes, DHCPDISCOVER recognition, failure text. */
public final class Frames {

    /** The length of iPXE's DHCPDISCOVER as QEMU's e1000 sends it (measured, see the recipes). */
    public static final int DHCP_DISCOVER_LENGTH = 442;

    /** IEEE 802 local experimental ethertypes: one for the test frames, one for readiness probes. */
    public static final int ETHERTYPE_TEST = 0x88b5;
    public static final int ETHERTYPE_PROBE = 0x88b6;

    private static final byte[] TEST_DST = mac("52:54:00:ab:cd:ef");
    private static final byte[] TEST_SRC = mac("02:00:00:00:00:01");

    private Frames() {
    }

    /** @param text a MAC in colon notation */
    public static byte[] mac(String text) {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    /** @return whether a frame is a DHCPDISCOVER: IPv4, UDP 68 → 67, BOOTREQUEST, DHCP magic cookie, option 53 = 1 */
    public static boolean isDhcpDiscover(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        if (f.length < 14 + 20 + 8 + 240 || Short.toUnsignedInt(b.getShort(12)) != 0x0800) {
            return false;
        }
        int ip = 14;
        int ihl = (f[ip] & 0x0f) * 4;
        if ((f[ip] & 0xf0) != 0x40 || ihl < 20 || f[ip + 9] != 17) {
            return false;
        }
        int udp = ip + ihl;
        if (f.length < udp + 8 + 240
                || Short.toUnsignedInt(b.getShort(udp)) != 68 || Short.toUnsignedInt(b.getShort(udp + 2)) != 67) {
            return false;
        }
        int dhcp = udp + 8;
        if (f[dhcp] != 1 || b.getInt(dhcp + 236) != 0x63825363) {
            return false;
        }
        int opt = dhcp + 240;
        while (opt < f.length) {
            int code = f[opt] & 0xff;
            if (code == 255) {
                return false;
            }
            if (code == 0) {
                opt++;
                continue;
            }
            if (opt + 1 >= f.length) {
                return false;
            }
            int len = f[opt + 1] & 0xff;
            if (code == 53) {
                return len == 1 && opt + 2 < f.length && f[opt + 2] == 1;
            }
            opt += 2 + len;
        }
        return false;
    }

    /** @return whether the frame's source address is this MAC (colon notation) */
    public static boolean from(byte[] f, String mac) {
        return f.length >= 12 && Arrays.equals(f, 6, 12, mac(mac), 0, 6);
    }

    /** @return whether the frame is a broadcast DHCPDISCOVER from {@link Qemu#pxeSource}'s e1000 */
    public static boolean isSourceDhcpDiscover(byte[] f) {
        return isDhcpDiscover(f) && from(f, Qemu.SOURCE_MAC) && Arrays.equals(f, 0, 6, mac("ff:ff:ff:ff:ff:ff"), 0, 6);
    }

    /**
     * A test frame: to 52:54:00:ab:cd:ef from 02:00:00:00:00:01, ethertype 0x88b5, then the
     * sequence number and a pattern that differs per frame and per byte.
     *
     * @param length the frame length, at least 18
     */
    public static byte[] testFrame(int seq, int length) {
        return frame(ETHERTYPE_TEST, seq, length);
    }

    /** @return {@code count} test frames of one length, numbered from {@code from} */
    public static List<byte[]> testFrames(int from, int count, int length) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(testFrame(from + i, length));
        }
        return out;
    }

    /** @return a 60-byte readiness probe (ethertype 0x88b6) */
    public static byte[] probe(int seq) {
        return frame(ETHERTYPE_PROBE, seq, 60);
    }

    public static boolean isProbe(byte[] f) {
        return f.length >= 14 && Short.toUnsignedInt(ByteBuffer.wrap(f).getShort(12)) == ETHERTYPE_PROBE;
    }

    private static byte[] frame(int ethertype, int seq, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        b.put(TEST_DST).put(TEST_SRC).putShort((short) ethertype).putInt(seq);
        for (int i = b.position(); i < length; i++) {
            b.put((byte) (seq * 31 + i * 7 + (i >> 8)));
        }
        return b.array();
    }

    /** @return whether {@code part} occurs in {@code whole} in the same order, not necessarily adjacent, byte for byte */
    public static boolean isSubsequence(List<byte[]> part, List<byte[]> whole) {
        int j = 0;
        for (byte[] p : part) {
            while (j < whole.size() && !Arrays.equals(whole.get(j), p)) {
                j++;
            }
            if (j == whole.size()) {
                return false;
            }
            j++;
        }
        return true;
    }

    /** @return length and the first 64 bytes in hex, for failure messages */
    public static String describe(byte[] f) {
        int n = Math.min(64, f.length);
        return f.length + " bytes: " + HexFormat.of().formatHex(f, 0, n) + (n < f.length ? "…" : "");
    }

    /** @return the first 20 frames described, for failure messages */
    public static String describe(List<byte[]> frames) {
        StringBuilder out = new StringBuilder().append(frames.size()).append(" frames");
        for (int i = 0; i < frames.size() && i < 20; i++) {
            out.append("\n  #").append(i).append(' ').append(describe(frames.get(i)));
        }
        if (frames.size() > 20) {
            out.append("\n  …");
        }
        return out.toString();
    }
}
