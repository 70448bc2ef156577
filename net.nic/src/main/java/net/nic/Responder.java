package net.nic;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;

/**
 * A {@code responder} NIC: a host that answers address resolution and echo requests for its
 * address, one family per NIC. Each reply is built in one buffer the NIC owns and reuses, and is
 * sent to the requester's Ethernet source address: on-link peers and the router that forwarded an
 * off-link request are both found there, so the responder needs no neighbour table.
 */
abstract class Responder extends NicClient {

    static final String MODEL = "responder";

    /** Ethernet header length: no VLAN tag (tagged frames are not for a host without VLANs). */
    static final int ETHERNET = 14;
    /** The shortest frame a NIC puts on the wire (without the FCS); shorter replies are padded. */
    private static final int MINIMUM_FRAME = 60;

    /** The reply being built, from index 0; owned by the NIC's loop. */
    protected final ByteBuffer reply = ByteBuffer.allocate(NetClient.MAX_FRAME);
    protected final NetCounter echoReplies;
    protected final NetCounter ignored;
    protected final NetCounter malformed;
    protected final NetCounter noRoute;

    protected Responder(MacAddress mac, MacTable macs, NetClientContext context) {
        super(MODEL, mac, macs, context);
        echoReplies = context.counter("echo-replies");
        ignored = context.counter("ignored");
        malformed = context.counter("malformed");
        noRoute = context.counter("no-route");
    }

    @Override
    protected final Delivery deliver(ByteBuffer frame) {
        int at = frame.position();
        if (MacAddress.read(frame, at + 6) == filter.mac().bits() || (frame.get(at + 6) & 1) != 0) {
            ignored.increment(); // our own frame looped back, or a source no reply can go to
        } else {
            answer(frame, at, frame.limit());
        }
        return Delivery.DELIVERED;
    }

    /**
     * Answers a frame from a unicast source other than this NIC, if it asks something of it.
     *
     * @param frame the frame (read-only)
     * @param at    the absolute index of its Ethernet header
     * @param end   the absolute index after its last byte (Ethernet padding included)
     */
    protected abstract void answer(ByteBuffer frame, int at, int end);

    /**
     * Starts a reply with its Ethernet header.
     *
     * @param destination the destination MAC, 48 bits
     * @param etherType   the reply's EtherType
     */
    protected final void ethernet(long destination, int etherType) {
        reply.clear(); // the last send left its limit at that reply's length
        MacAddress.write(reply, 0, destination);
        MacAddress.write(reply, 6, filter.mac().bits());
        reply.putShort(12, (short) etherType);
    }

    /**
     * Sends the reply built in the first {@code length} bytes, padded with zeros to the shortest
     * Ethernet frame as a NIC pads it. Never blocks: a peer that cannot take it drops it, as it
     * would drop any frame.
     */
    protected final void send(int length) {
        int padded = Math.max(length, MINIMUM_FRAME);
        for (int i = length; i < padded; i++) {
            reply.put(i, (byte) 0);
        }
        context.send(reply.limit(padded).position(0));
    }
}
