package net.backend.l2tpv3;

/** Why a received packet was not delivered; each reason is a counter of the netdev. */
enum Drop {
    /** Not longer than the header (QEMU's rule), or an IPv4 header that does not fit. */
    TOO_SHORT("too-short"),
    /** UDP mode: the T bit (control message) set or a version other than 3. */
    BAD_HEADER("bad-header"),
    /** Another session's packet, or no L2TPv3 at all. */
    WRONG_SESSION("wrong-session"),
    /** The right session with the wrong cookie: a stray or forged packet. */
    WRONG_COOKIE("wrong-cookie"),
    /** A sequence number (sublayer with the S bit) that did not advance: a duplicate or stale packet. */
    BAD_COUNTER("bad-counter");

    /** The counter's name, shown with the netdev's statistics. */
    final String counter;

    Drop(String counter) {
        this.counter = counter;
    }
}
