package net.backend.socket.interop;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

/** Ethernet frames for the interop tests: the DHCPDISCOVER check and the frames tests send. */
final class Frames {

    /** The length of iPXE's DHCPDISCOVER as QEMU's e1000 sends it (measured, see the recipes). */
    static final int DHCP_DISCOVER_LENGTH = 442;

    /** IEEE 802 local experimental ethertypes: one for the test frames, one for readiness probes. */
    static final int ETHERTYPE_TEST = 0x88b5;
    static final int ETHERTYPE_PROBE = 0x88b6;

    private static final byte[] TEST_DST = mac("52:54:00:ab:cd:ef");
    private static final byte[] TEST_SRC = mac("02:00:00:00:00:01");

    private Frames() {
    }

    static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    /**
     * Whether a frame is a DHCPDISCOVER: IPv4, UDP 68 → 67, BOOTREQUEST with the DHCP magic cookie
     * and option 53 = 1.
     *
     * @param f the frame
     * @return whether it is a DHCPDISCOVER
     */
    static boolean isDhcpDiscover(byte[] f) {
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

    /**
     * @param f   a frame
     * @param mac a MAC in colon notation
     * @return whether the frame's source address is that MAC
     */
    static boolean from(byte[] f, String mac) {
        byte[] m = mac(mac);
        if (f.length < 12) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (f[6 + i] != m[i]) {
                return false;
            }
        }
        return true;
    }

    /** @return whether the frame is a DHCPDISCOVER from the PXE source, to the broadcast address */
    static boolean isSourceDhcpDiscover(byte[] f) {
        if (!isDhcpDiscover(f) || !from(f, QemuProcess.SOURCE_MAC)) {
            return false;
        }
        for (int i = 0; i < 6; i++) {
            if (f[i] != (byte) 0xff) {
                return false;
            }
        }
        return true;
    }

    /**
     * A test frame: to 52:54:00:ab:cd:ef from 02:00:00:00:00:01, ethertype 0x88b5, then the
     * sequence number and a pattern that differs per frame and per byte.
     *
     * @param seq    sequence number
     * @param length the frame length, at least 18
     * @return the frame
     */
    static byte[] testFrame(int seq, int length) {
        return frame(ETHERTYPE_TEST, seq, length);
    }

    /**
     * @param seq sequence number
     * @return a 60-byte readiness probe (ethertype 0x88b6)
     */
    static byte[] probe(int seq) {
        return frame(ETHERTYPE_PROBE, seq, 60);
    }

    static boolean isProbe(byte[] f) {
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

    /**
     * Whether {@code part} occurs in {@code whole} in the same order (not necessarily adjacent),
     * comparing frames byte for byte.
     */
    static boolean isSubsequence(List<byte[]> part, List<byte[]> whole) {
        int j = 0;
        for (byte[] p : part) {
            while (j < whole.size() && !java.util.Arrays.equals(whole.get(j), p)) {
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
    static String describe(byte[] f) {
        int n = Math.min(64, f.length);
        return f.length + " bytes: " + HexFormat.of().formatHex(f, 0, n) + (n < f.length ? "…" : "");
    }

    static String describe(List<byte[]> frames) {
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
