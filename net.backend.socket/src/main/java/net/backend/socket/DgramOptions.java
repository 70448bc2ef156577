package net.backend.socket;

/**
 * QEMU's {@code NetdevDgramOptions} ({@code -netdev dgram,...}).
 *
 * @param local  the local address; for a multicast {@code remote} only the interface address
 * @param remote where frames are sent: a unicast peer or a multicast group
 */
public record DgramOptions(SocketAddressOptions local, SocketAddressOptions remote) {
}
