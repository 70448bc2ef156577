package net.nic;

import java.nio.ByteBuffer;
import net.api.NetClientContext;
import net.api.NetCounter;

/**
 * A responder with an IPv6 address: answers Neighbor Solicitations (RFC 4861) and ICMPv6 echo
 * requests for it and for its link-local address (fe80:: with the MAC's EUI-64), which a Linux
 * peer may use for neighbour discovery. It listens on the all-nodes group and on both addresses'
 * solicited-node groups, as a host joins them when its address comes up. Addresses are two longs,
 * high and low half.
 */
final class Ipv6Responder extends Responder {

    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int IPV6_HEADER = 40;
    private static final int NEXT_ICMPV6 = 58;
    private static final int ECHO_REQUEST = 128;
    private static final int ECHO_REPLY = 129;
    private static final int NEIGHBOR_SOLICITATION = 135;
    private static final int NEIGHBOR_ADVERTISEMENT = 136;
    /** Neighbour discovery only trusts messages that no router forwarded. */
    private static final int NDP_HOP_LIMIT = 255;
    private static final int HOP_LIMIT = 64;
    private static final int FLAG_SOLICITED = 0x4000_0000;
    private static final int FLAG_OVERRIDE = 0x2000_0000;
    private static final int OPTION_TARGET_LINK_LAYER = 2;
    private static final int ADVERTISEMENT_LENGTH = 32;
    private static final long LINK_LOCAL = 0xfe80_0000_0000_0000L;
    private static final long LINK_LOCAL_MASK = 0xffc0_0000_0000_0000L;
    private static final long ALL_NODES_HIGH = 0xff02_0000_0000_0000L;
    private static final long ALL_NODES_LOW = 1;
    /** ff02::1:ff00:0/104, the solicited-node group: its low half before the address's last 24 bits. */
    private static final long SOLICITED_LOW = 0x0000_0001_ff00_0000L;
    private static final long ALL_NODES_MAC = 0x3333_0000_0001L;
    private static final long SOLICITED_MAC = 0x3333_ff00_0000L;

    private final long ipHigh;
    private final long ipLow;
    private final long maskHigh;
    private final long maskLow;
    private final long linkLocalLow;
    private final boolean routed;
    private final NetCounter advertisements;

    /**
     * @param ipHigh the address's first 64 bits
     * @param ipLow  its last 64 bits
     * @param prefix its prefix length, 0 to 128
     * @param routed whether a gateway was given: then off-link sources are answered too
     */
    Ipv6Responder(long ipHigh, long ipLow, int prefix, boolean routed, MacAddress mac, MacTable macs,
            NetClientContext context) {
        super(mac, macs, context);
        this.ipHigh = ipHigh;
        this.ipLow = ipLow;
        this.maskHigh = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        this.maskLow = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        this.routed = routed;
        long bits = filter.mac().bits();
        // EUI-64: the MAC with ff:fe in its middle and the universal/local bit inverted
        this.linkLocalLow = ((bits >>> 24) ^ 0x02_0000L) << 40 | 0xff_feL << 24 | bits & 0xff_ffffL;
        advertisements = context.counter("neighbor-advertisements");
        boolean changed = filter.join(new MacAddress(ALL_NODES_MAC));
        changed |= filter.join(new MacAddress(SOLICITED_MAC | ipLow & 0xff_ffffL));
        changed |= filter.join(new MacAddress(SOLICITED_MAC | linkLocalLow & 0xff_ffffL));
        filterChanged(changed);
    }

    @Override
    protected void answer(ByteBuffer frame, int at, int end) {
        if ((frame.getShort(at + 12) & 0xffff) != ETHERTYPE_IPV6) {
            ignored.increment();
            return;
        }
        int header = at + ETHERNET;
        if (end - header < IPV6_HEADER || (frame.get(header) & 0xf0) != 0x60) {
            malformed.increment();
            return;
        }
        int length = frame.getShort(header + 4) & 0xffff;
        if (length > end - header - IPV6_HEADER) {
            malformed.increment();
            return;
        }
        if (frame.get(header + 6) != NEXT_ICMPV6) {
            ignored.increment(); // extension headers included: echo and NDP never carry them here
            return;
        }
        int icmp = header + IPV6_HEADER;
        if (length < 8 || InternetChecksum.fold(pseudoHeader(frame, header, length)
                + InternetChecksum.sum(frame, icmp, length)) != 0) {
            malformed.increment();
            return;
        }
        int type = frame.get(icmp) & 0xff;
        if (type == NEIGHBOR_SOLICITATION && frame.get(icmp + 1) == 0) {
            solicitation(frame, at, header, icmp, length);
        } else if (type == ECHO_REQUEST && frame.get(icmp + 1) == 0) {
            echo(frame, at, header, icmp, length);
        } else {
            ignored.increment();
        }
    }

    /** @return the sum of the pseudo-header that ICMPv6's checksum covers */
    private static long pseudoHeader(ByteBuffer buffer, int header, int length) {
        return InternetChecksum.sum(buffer, header + 8, 32) + length + NEXT_ICMPV6;
    }

    private void solicitation(ByteBuffer frame, int at, int header, int icmp, int length) {
        if ((frame.get(header + 7) & 0xff) != NDP_HOP_LIMIT || length < 24) {
            malformed.increment();
            return;
        }
        long targetHigh = frame.getLong(icmp + 8);
        long targetLow = frame.getLong(icmp + 16);
        if (!isOurs(targetHigh, targetLow)) {
            ignored.increment(); // a neighbour asking for another host, or checking its own address
            return;
        }
        long sourceHigh = frame.getLong(header + 8);
        long sourceLow = frame.getLong(header + 16);
        boolean duplicateCheck = sourceHigh == 0 && sourceLow == 0;
        // Duplicate address detection asks from "::": the answer goes to all nodes, unsolicited.
        ethernet(duplicateCheck ? ALL_NODES_MAC : MacAddress.read(frame, at + 6), ETHERTYPE_IPV6);
        ipv6Header(ADVERTISEMENT_LENGTH, NDP_HOP_LIMIT, targetHigh, targetLow,
                duplicateCheck ? ALL_NODES_HIGH : sourceHigh, duplicateCheck ? ALL_NODES_LOW : sourceLow);
        int out = ETHERNET + IPV6_HEADER;
        reply.put(out, (byte) NEIGHBOR_ADVERTISEMENT).put(out + 1, (byte) 0).putShort(out + 2, (short) 0);
        reply.putInt(out + 4, duplicateCheck ? FLAG_OVERRIDE : FLAG_SOLICITED | FLAG_OVERRIDE);
        reply.putLong(out + 8, targetHigh).putLong(out + 16, targetLow);
        reply.put(out + 24, (byte) OPTION_TARGET_LINK_LAYER).put(out + 25, (byte) 1);
        MacAddress.write(reply, out + 26, filter.mac().bits());
        checksum(out, ADVERTISEMENT_LENGTH);
        send(out + ADVERTISEMENT_LENGTH);
        advertisements.increment();
    }

    private void echo(ByteBuffer frame, int at, int header, int icmp, int length) {
        long sourceHigh = frame.getLong(header + 8);
        long sourceLow = frame.getLong(header + 16);
        long destinationHigh = frame.getLong(header + 24);
        long destinationLow = frame.getLong(header + 32);
        boolean allNodes = destinationHigh == ALL_NODES_HIGH && destinationLow == ALL_NODES_LOW;
        if (!isOurs(destinationHigh, destinationLow) && !allNodes
                || sourceHigh == 0 && sourceLow == 0 || sourceHigh >>> 56 == 0xff) {
            ignored.increment();
            return;
        }
        boolean linkLocalSource = (sourceHigh & LINK_LOCAL_MASK) == LINK_LOCAL;
        if (!linkLocalSource && ((sourceHigh ^ ipHigh) & maskHigh | (sourceLow ^ ipLow) & maskLow) != 0 && !routed) {
            noRoute.increment(); // a host with no default route cannot answer it
            return;
        }
        // From the address asked; a group's echo from the address that fits the asker's scope.
        boolean fromLinkLocal = allNodes ? linkLocalSource : destinationLow == linkLocalLow
                && destinationHigh == LINK_LOCAL;
        ethernet(MacAddress.read(frame, at + 6), ETHERTYPE_IPV6);
        ipv6Header(length, HOP_LIMIT, fromLinkLocal ? LINK_LOCAL : ipHigh, fromLinkLocal ? linkLocalLow : ipLow,
                sourceHigh, sourceLow);
        int out = ETHERNET + IPV6_HEADER;
        // Identifier, sequence number and data as they came.
        reply.put(out, (byte) ECHO_REPLY).put(out + 1, (byte) 0).putShort(out + 2, (short) 0);
        reply.put(out + 4, frame, icmp + 4, length - 4);
        checksum(out, length);
        send(out + length);
        echoReplies.increment();
    }

    private boolean isOurs(long high, long low) {
        return high == ipHigh && low == ipLow || high == LINK_LOCAL && low == linkLocalLow;
    }

    private void ipv6Header(int length, int hopLimit, long sourceHigh, long sourceLow, long destinationHigh,
            long destinationLow) {
        int header = ETHERNET;
        reply.putInt(header, 0x6000_0000).putShort(header + 4, (short) length);
        reply.put(header + 6, (byte) NEXT_ICMPV6).put(header + 7, (byte) hopLimit);
        reply.putLong(header + 8, sourceHigh).putLong(header + 16, sourceLow);
        reply.putLong(header + 24, destinationHigh).putLong(header + 32, destinationLow);
    }

    /** Fills in the ICMPv6 checksum of the reply's message at {@code icmp}. */
    private void checksum(int icmp, int length) {
        long sum = pseudoHeader(reply, ETHERNET, length) + InternetChecksum.sum(reply, icmp, length);
        reply.putShort(icmp + 2, InternetChecksum.fold(sum));
    }
}
