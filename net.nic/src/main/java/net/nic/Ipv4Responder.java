package net.nic;

import java.nio.ByteBuffer;
import net.api.NetClientContext;
import net.api.NetCounter;

/**
 * A responder with an IPv4 address: answers ARP requests for it (probes too, so a host checking
 * whether the address is free learns it is taken) and ICMP echo requests sent to it.
 */
final class Ipv4Responder extends Responder {

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_ARP = 0x0806;
    private static final int ARP_LENGTH = 28;
    private static final int ARP_REQUEST = 1;
    private static final int ARP_REPLY = 2;
    private static final int IPV4_HEADER = 20;
    private static final int PROTOCOL_ICMP = 1;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_ECHO_REQUEST = 8;
    /** Linux's default TTL, which a ping user expects to read back. */
    private static final int TTL = 64;

    private final int ip;
    private final int mask;
    private final boolean routed;
    private final NetCounter arpReplies;
    private final NetCounter conflicts;
    private short identification;

    /**
     * @param ip     the address, as a number in network order
     * @param prefix its prefix length, 0 to 32
     * @param routed whether a gateway was given: then off-link sources are answered too
     */
    Ipv4Responder(int ip, int prefix, boolean routed, MacAddress mac, MacTable macs, NetClientContext context) {
        super(mac, macs, context);
        this.ip = ip;
        this.mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        this.routed = routed;
        arpReplies = context.counter("arp-replies");
        conflicts = context.counter("address-conflicts");
    }

    @Override
    protected void answer(ByteBuffer frame, int at, int end) {
        switch (frame.getShort(at + 12) & 0xffff) {
            case ETHERTYPE_ARP -> arp(frame, at, end);
            case ETHERTYPE_IPV4 -> ipv4(frame, at, end);
            default -> ignored.increment();
        }
    }

    private void arp(ByteBuffer frame, int at, int end) {
        int arp = at + ETHERNET;
        if (end - arp < ARP_LENGTH) {
            malformed.increment();
            return;
        }
        // Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses
        if (frame.getInt(arp) != (1 << 16 | ETHERTYPE_IPV4) || frame.getShort(arp + 4) != 0x0604) {
            ignored.increment();
            return;
        }
        int operation = frame.getShort(arp + 6) & 0xffff;
        int senderIp = frame.getInt(arp + 14);
        int targetIp = frame.getInt(arp + 24);
        if (senderIp == ip) {
            // Another host uses (or announces) this address: said in the counters; a request for
            // it is still answered below, which defends the address as Linux does.
            conflicts.increment();
        }
        if (operation != ARP_REQUEST || targetIp != ip) {
            ignored.increment();
            return;
        }
        ethernet(MacAddress.read(frame, at + 6), ETHERTYPE_ARP);
        reply.putInt(ETHERNET, 1 << 16 | ETHERTYPE_IPV4).putShort(ETHERNET + 4, (short) 0x0604);
        reply.putShort(ETHERNET + 6, (short) ARP_REPLY);
        MacAddress.write(reply, ETHERNET + 8, filter.mac().bits());
        reply.putInt(ETHERNET + 14, ip);
        // The requester's addresses as it gave them: a probe's sender address 0.0.0.0 included.
        reply.put(ETHERNET + 18, frame, arp + 8, 10);
        send(ETHERNET + ARP_LENGTH);
        arpReplies.increment();
    }

    private void ipv4(ByteBuffer frame, int at, int end) {
        int header = at + ETHERNET;
        if (end - header < IPV4_HEADER || (frame.get(header) & 0xf0) != 0x40) {
            malformed.increment();
            return;
        }
        int headerLength = (frame.get(header) & 0x0f) * 4;
        int total = frame.getShort(header + 2) & 0xffff;
        if (headerLength < IPV4_HEADER || total < headerLength || total > end - header
                || InternetChecksum.fold(InternetChecksum.sum(frame, header, headerLength)) != 0) {
            malformed.increment();
            return;
        }
        int source = frame.getInt(header + 12);
        // Echo to broadcast is ignored as Linux ignores it; fragments are never reassembled.
        if (frame.getInt(header + 16) != ip || frame.get(header + 9) != PROTOCOL_ICMP
                || (frame.getShort(header + 6) & 0x3fff) != 0) {
            ignored.increment();
            return;
        }
        int icmp = header + headerLength;
        int icmpLength = total - headerLength;
        if (icmpLength < 8 || InternetChecksum.fold(InternetChecksum.sum(frame, icmp, icmpLength)) != 0) {
            malformed.increment();
            return;
        }
        if (frame.get(icmp) != ICMP_ECHO_REQUEST || frame.get(icmp + 1) != 0
                || source == 0 || source == -1 || (source & 0xf0000000) == 0xe0000000) {
            ignored.increment();
            return;
        }
        if (((source ^ ip) & mask) != 0 && !routed) {
            noRoute.increment(); // a host with no default route cannot answer it
            return;
        }
        echoReply(frame, header, source, icmp, icmpLength);
    }

    private void echoReply(ByteBuffer frame, int header, int source, int icmp, int icmpLength) {
        ethernet(MacAddress.read(frame, header - ETHERNET + 6), ETHERTYPE_IPV4);
        int replyHeader = ETHERNET;
        int replyIcmp = replyHeader + IPV4_HEADER;
        // Version 4, no options, the request's type of service as Linux keeps it.
        reply.put(replyHeader, (byte) 0x45).put(replyHeader + 1, frame.get(header + 1));
        reply.putShort(replyHeader + 2, (short) (IPV4_HEADER + icmpLength));
        reply.putShort(replyHeader + 4, identification++).putShort(replyHeader + 6, (short) 0);
        reply.put(replyHeader + 8, (byte) TTL).put(replyHeader + 9, (byte) PROTOCOL_ICMP);
        reply.putShort(replyHeader + 10, (short) 0);
        reply.putInt(replyHeader + 12, ip).putInt(replyHeader + 16, source);
        reply.putShort(replyHeader + 10, InternetChecksum.fold(InternetChecksum.sum(reply, replyHeader, IPV4_HEADER)));
        // Identifier, sequence number and data as they came.
        reply.put(replyIcmp, (byte) ICMP_ECHO_REPLY).put(replyIcmp + 1, (byte) 0).putShort(replyIcmp + 2, (short) 0);
        reply.put(replyIcmp + 4, frame, icmp + 4, icmpLength - 4);
        reply.putShort(replyIcmp + 2, InternetChecksum.fold(InternetChecksum.sum(reply, replyIcmp, icmpLength)));
        send(replyIcmp + icmpLength);
        echoReplies.increment();
    }
}
