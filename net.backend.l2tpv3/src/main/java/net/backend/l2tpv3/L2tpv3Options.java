package net.backend.l2tpv3;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code NetdevL2TPv3Options} ({@code -netdev l2tpv3,...}), components in the schema's order
 * so that errors come in QEMU's order. The numbers are strings because QEMU takes them in any C base
 * ({@code 0xffffffff}, {@code 010}); {@link net.driverkit.QemuNumbers} parses them with QEMU's messages.
 *
 * @param src        local address to bind (literal, or {@code localhost})
 * @param dst        the peer's address; every frame is sent there
 * @param srcport    with {@code udp}: the local UDP port
 * @param dstport    with {@code udp}: the peer's UDP port
 * @param ipv6       resolve {@code src}/{@code dst} as IPv6
 * @param udp        UDP encapsulation; off (the default) means IP protocol 115
 * @param cookie64   64-bit cookies; as in QEMU, naming it at all (even {@code cookie64=off}) turns it on
 * @param counter    send the 4-byte L2-specific sublayer with a frame counter
 * @param pincounter send the sublayer with the counter always 0 (implies {@code counter})
 * @param txcookie   uint64: the cookie written into sent packets
 * @param rxcookie   uint64: the cookie required in received packets
 * @param txsession  uint32, mandatory: the session id written into sent packets
 * @param rxsession  uint32: the session id required in received packets; default {@code txsession}
 * @param offset     uint32: padding bytes between the header and the frame, at most 256
 */
public record L2tpv3Options(@JsonProperty(required = true) String src, @JsonProperty(required = true) String dst,
        String srcport, String dstport, Boolean ipv6, Boolean udp, Boolean cookie64, Boolean counter,
        Boolean pincounter, String txcookie, String rxcookie, String txsession, String rxsession, String offset) {
}
