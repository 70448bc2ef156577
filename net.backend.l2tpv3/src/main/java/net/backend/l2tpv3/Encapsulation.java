package net.backend.l2tpv3;

import java.nio.ByteBuffer;

/**
 * The data plane of one session: the header to put in front of each sent frame (built once; only
 * the counter changes) and the check of each received packet. No allocation per packet; used on
 * the netdev's event loop only.
 *
 * <p>Receive checks, in this order: length (more than the header, as QEMU requires), the UDP
 * flags/version word (T bit clear, version 3, as the kernel requires), session id, cookie, and, only
 * when the peer marks its sublayer as a sequence number (S bit, RFC 3931 §4.6 — the kernel with
 * {@code seq send}), that the 24-bit sequence advances. QEMU sends its counter without the S bit and
 * never checks it; such counters (and 0, from {@code pincounter} or a kernel without sequencing)
 * are accepted as QEMU accepts them, so no QEMU or kernel peer is refused.
 */
final class Encapsulation {

    /** The UDP encapsulation word: T = 0 (data), Ver = 3. */
    static final int UDP_DATA_VERSION_3 = 0x0003_0000;
    /** The T bit and the version nibble: what the kernel checks in that word. */
    private static final int TYPE_AND_VERSION = 0x800F_0000;
    /** RFC 3931 §4.6 default sublayer: S (sequence valid) bit and the 24-bit sequence number. */
    static final int SEQUENCE_VALID = 0x4000_0000;
    private static final int SEQUENCE_MASK = 0x00FF_FFFF;
    private static final int SEQUENCE_HALF = 0x0080_0000;
    /**
     * Stale sequence numbers in a row after which the peer is taken to have restarted (numbering
     * from 0 again) and the sequence resynchronises, so a restarted peer is not refused for ever.
     */
    static final int RESYNC_AFTER = 8;

    private final Session session;
    private final int sessionAt;
    private final int cookieAt;
    private final int counterAt;
    private final int headerLength;
    /** The header as sent; only the counter slot is rewritten per frame. */
    private final ByteBuffer txHeader;
    private int txCounter;
    private boolean sequenceSeen;
    private int lastSequence;
    private int staleInARow;

    Encapsulation(Session session) {
        this.session = session;
        this.sessionAt = session.udp() ? 4 : 0;
        this.cookieAt = sessionAt + 4;
        this.counterAt = session.counter() ? cookieAt + session.cookieLength() : -1;
        this.headerLength = session.headerLength();
        this.txHeader = ByteBuffer.allocateDirect(headerLength); // zeroed: the offset padding is zeros
        if (session.udp()) {
            txHeader.putInt(0, UDP_DATA_VERSION_3);
        }
        txHeader.putInt(sessionAt, session.txSession());
        if (session.cookieLength() == 8) {
            txHeader.putLong(cookieAt, session.txCookie());
        } else if (session.cookieLength() == 4) {
            txHeader.putInt(cookieAt, (int) session.txCookie());
        }
    }

    /** @return bytes before the frame in each packet (after any IP header) */
    int headerLength() {
        return headerLength;
    }

    /**
     * The header for the next frame; {@link #sent()} once it has gone, so a frame retried later
     * does not use a counter value twice. QEMU's first counter is 1.
     *
     * @return the header between position 0 and its length; read it, do not keep it
     */
    ByteBuffer header() {
        if (counterAt >= 0) {
            txHeader.putInt(counterAt, session.pinCounter() ? 0 : txCounter + 1);
        }
        return txHeader.clear();
    }

    /** The frame with the header from {@link #header()} went out. */
    void sent() {
        txCounter++;
    }

    /**
     * Checks a received packet (its L2TPv3 part, any IP header already skipped) and moves its
     * position to the Ethernet frame.
     *
     * @param packet the packet between position and limit
     * @return null when the frame may be delivered, else why not
     */
    Drop check(ByteBuffer packet) {
        int at = packet.position();
        if (packet.remaining() <= headerLength) {
            return Drop.TOO_SHORT;
        }
        if (session.udp() && (packet.getInt(at) & TYPE_AND_VERSION) != UDP_DATA_VERSION_3) {
            return Drop.BAD_HEADER;
        }
        if (packet.getInt(at + sessionAt) != session.rxSession()) {
            return Drop.WRONG_SESSION;
        }
        if (session.cookieLength() == 8 && packet.getLong(at + cookieAt) != session.rxCookie()
                || session.cookieLength() == 4 && packet.getInt(at + cookieAt) != (int) session.rxCookie()) {
            return Drop.WRONG_COOKIE;
        }
        if (counterAt >= 0 && !sequenceAdvances(packet.getInt(at + counterAt))) {
            return Drop.BAD_COUNTER;
        }
        packet.position(at + headerLength);
        return null;
    }

    private boolean sequenceAdvances(int sublayer) {
        if ((sublayer & SEQUENCE_VALID) == 0) {
            return true;
        }
        int sequence = sublayer & SEQUENCE_MASK;
        int ahead = (sequence - lastSequence) & SEQUENCE_MASK;
        if (sequenceSeen && (ahead == 0 || ahead >= SEQUENCE_HALF) && ++staleInARow < RESYNC_AFTER) {
            return false;
        }
        sequenceSeen = true;
        lastSequence = sequence;
        staleInARow = 0;
        return true;
    }
}
