package net.nic;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Requests a peer sends a {@code responder}, from {@value #PEER_MAC} (a locally administered
 * address), and the Internet checksum computed here, apart from the model's code, to check replies.
 */
final class ResponderFrames {

    static final String PEER_MAC = "020000000001";
    static final HexFormat HEX = HexFormat.of();

    private ResponderFrames() {
    }

    /** @param text hex digits, spaces allowed between them */
    static byte[] hex(String text) {
        return HEX.parseHex(text.replace(" ", ""));
    }

    /** @return an ARP packet, broadcast, of this operation, addresses as 8 hex digits */
    static byte[] arp(int operation, String senderIp, String targetIp) {
        return hex("ffffffffffff" + PEER_MAC + "0806 0001 0800 06 04 000" + operation + PEER_MAC + senderIp
                + "000000000000" + targetIp);
    }

    /** Ones' complement sum of 16-bit words, folded: 0xffff over data that carries a correct checksum. */
    static int sum(byte[] data, int from, int to, int initial) {
        int sum = initial;
        for (int i = from; i < to; i += 2) {
            sum += (data[i] & 0xff) << 8 | (i + 1 < to ? data[i + 1] & 0xff : 0);
        }
        while (sum > 0xffff) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    /** @return an ICMP echo request, identifier 0x1234, sequence 7, TOS 0x10, TTL 61 */
    static byte[] icmpEcho(String destinationMac, int sourceIp, int destinationIp, byte[] data) {
        int total = 20 + 8 + data.length;
        ByteBuffer f = ByteBuffer.allocate(Math.max(60, 14 + total));
        f.put(hex(destinationMac + PEER_MAC + "0800"));
        f.put((byte) 0x45).put((byte) 0x10).putShort((short) total).putShort((short) 0x4242).putShort((short) 0x4000);
        f.put((byte) 61).put((byte) 1).putShort((short) 0).putInt(sourceIp).putInt(destinationIp);
        f.putShort(24, (short) ~sum(f.array(), 14, 34, 0));
        f.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 7).put(data);
        f.putShort(36, (short) ~sum(f.array(), 34, 14 + total, 0));
        return f.array();
    }

    /** @return an IPv6 packet carrying {@code icmp} (its checksum filled in), addresses as 32 hex digits */
    static byte[] icmp6(String destinationMac, String source, String destination, int hopLimit, byte[] icmp) {
        ByteBuffer f = ByteBuffer.allocate(Math.max(60, 14 + 40 + icmp.length));
        f.put(hex(destinationMac + PEER_MAC + "86dd 60000000")).putShort((short) icmp.length);
        f.put((byte) 58).put((byte) hopLimit).put(hex(source)).put(hex(destination)).put(icmp);
        f.putShort(56, (short) ~sum(f.array(), 54, 54 + icmp.length, pseudo(f.array(), icmp.length)));
        return f.array();
    }

    /** @return the sum of an IPv6 frame's pseudo-header for ICMPv6 of this length */
    static int pseudo(byte[] frame, int length) {
        return sum(frame, 22, 54, 0) + length + 58;
    }

    /** @return a Neighbor Solicitation for {@code target}, with the peer's MAC as source option if asked */
    static byte[] solicitation(String target, boolean withSourceOption) {
        return hex("87 00 0000 00000000" + target + (withSourceOption ? "01 01" + PEER_MAC : ""));
    }

    /** @return an ICMPv6 echo request: identifier 0xabcd, sequence 3 */
    static byte[] echo6(byte[] data) {
        return ByteBuffer.allocate(8 + data.length).put(hex("80 00 0000 abcd 0003")).put(data).array();
    }
}
