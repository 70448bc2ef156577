package net.backend.l2tpv3;

/**
 * What both ends of a static L2TPv3 session must agree on (RFC 3931 §4.1, §4.6; RFC 4719), after
 * QEMU's option rules.
 *
 * @param udp          a 4-byte flags/version word precedes the session id (UDP encapsulation)
 * @param txSession    the session id written into sent packets
 * @param rxSession    the session id received packets must carry
 * @param cookieLength 0, 4 or 8
 * @param txCookie     the cookie sent (its low 32 bits when {@code cookieLength} is 4)
 * @param rxCookie     the cookie required
 * @param counter      the 4-byte L2-specific sublayer is present
 * @param pinCounter   the sublayer is always sent as 0
 * @param offset       padding bytes between the header and the frame (sent as zeros)
 */
record Session(boolean udp, int txSession, int rxSession, int cookieLength, long txCookie, long rxCookie,
        boolean counter, boolean pinCounter, int offset) {

    /** @return the bytes in front of every frame, after any IP header: QEMU's header size */
    int headerLength() {
        return (udp ? 4 : 0) + 4 + cookieLength + (counter ? 4 : 0) + offset;
    }
}
