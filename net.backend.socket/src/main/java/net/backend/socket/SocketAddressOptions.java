package net.backend.socket;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * QEMU's {@code SocketAddress} union ({@code addr.*} of {@code stream}, {@code local.*} and
 * {@code remote.*} of {@code dgram}) as one flat record: {@code type} picks the branch and
 * {@link SocketAddresses} rejects members of the other branches with QEMU's words.
 *
 * @param type      {@code inet}, {@code unix}, {@code vsock} or {@code fd}
 * @param host      inet: the host (an IP literal for Patchbay)
 * @param port      inet and vsock: the port, a string in QAPI
 * @param numeric   inet: no name lookup (Patchbay never looks names up)
 * @param to        inet: the last port a server may try, a uint16 as text ({@link SocketAddresses} reads it)
 * @param ipv4      inet: use IPv4
 * @param ipv6      inet: use IPv6
 * @param keepAlive inet: SO_KEEPALIVE
 * @param mptcp     inet: Multipath TCP
 * @param path      unix: the socket's path
 * @param isAbstract unix: Linux's abstract namespace
 * @param tight     unix: abstract address length
 * @param cid       vsock: the context id
 * @param str       fd: the file descriptor
 */
public record SocketAddressOptions(String type, String host, String port, Boolean numeric, String to, Boolean ipv4,
        Boolean ipv6, @JsonProperty("keep-alive") Boolean keepAlive, Boolean mptcp, String path,
        @JsonProperty("abstract") Boolean isAbstract, Boolean tight, String cid, String str) {
}
