package net.backend.socket;

/**
 * QEMU's {@code NetdevSocketOptions} ({@code -netdev socket,...}), all strings as in QAPI, plus
 * Patchbay's {@code reconnect} extension.
 *
 * @param fd        an inherited socket (not supported by Patchbay yet)
 * @param listen    {@code [host]:port}: a TCP server serving one client at a time
 * @param connect   {@code host:port}: a TCP client
 * @param mcast     {@code group:port}: a UDP multicast bus
 * @param localaddr with {@code udp}: the local {@code host:port}; with {@code mcast}: the interface address
 * @param udp       {@code host:port}: where UDP frames are sent
 * @param reconnect extension, with {@code connect} only: seconds between attempts to connect again
 *                  after the connection failed or closed; 0 (the default) never, as in QEMU
 */
public record SocketOptions(String fd, String listen, String connect, String mcast, String localaddr, String udp,
        Long reconnect) {
}
