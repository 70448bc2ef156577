package net.backend.l2tpv3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/** The socket a session's packets travel on: UDP, or raw IP protocol 115. Used on the event loop only. */
interface TunnelSocket extends AutoCloseable {

    /** The IP protocol number of L2TPv3 (RFC 3931 §4.1.1). */
    int IPPROTO_L2TP = 115;

    /** @param local the address (and UDP port) to bind */
    void bind(InetSocketAddress local) throws IOException;

    /**
     * Sets the peer: packets go there, and only the peer's packets are received (the kernel
     * filters by source on a connected socket, UDP or raw).
     *
     * @param remote the peer's address (and UDP port)
     */
    void connect(InetSocketAddress remote) throws IOException;

    /**
     * @param loop    the netdev's loop
     * @param handler called when the socket is readable (or writable, with write interest)
     * @return the registration, with read interest
     */
    IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException;

    /**
     * Receives one packet.
     *
     * @param into cleared buffer; on return the packet's L2TPv3 part is between position and limit
     *             (an IPv4 header is skipped; a malformed one leaves nothing)
     * @return false when no packet is waiting
     */
    boolean receive(ByteBuffer into) throws IOException;

    /**
     * Sends header and frame as one packet, gathered without joining them where the platform allows.
     *
     * @return false when the socket's send buffer is full (nothing was sent)
     */
    boolean send(ByteBuffer header, ByteBuffer frame) throws IOException;

    /** Closes the socket; errors are not reported. */
    @Override
    void close();
}
