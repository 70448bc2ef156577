package net.backend.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * A datagram socket as {@link DatagramBackend} uses it, one frame per datagram: the JDK's UDP
 * channel ({@link UdpPort}) or a descriptor it has no channel for ({@link FdDatagramPort}: unix
 * datagrams, inherited sockets).
 */
sealed interface DatagramPort permits UdpPort, FdDatagramPort {

    /**
     * @param dst cleared buffer for one datagram
     * @return false when none is waiting
     * @throws IOException when the receive fails
     */
    boolean receive(ByteBuffer dst) throws IOException;

    /**
     * @param frame one frame, sent as one datagram to the remote end (by a port that
     *              {@linkplain #gathers() gathers}: kept for {@link #flush()})
     * @return false when the socket's buffer is full (nothing sent), or the gathering port keeps
     *         all it can
     * @throws IOException when the send fails
     */
    boolean send(ByteBuffer frame) throws IOException;

    /** @return whether {@link #receive} holds datagrams it took from the socket in one batch */
    default boolean holdsDatagrams() {
        return false;
    }

    /** @return whether {@link #send} keeps frames for {@link #flush()} */
    default boolean gathers() {
        return false;
    }

    /**
     * Sends what {@link #send} kept, in order.
     *
     * @return true when nothing is kept any more, false when the socket had no room for the rest
     * @throws IOException when one frame failed: it is dropped, call again for the rest
     */
    default boolean flush() throws IOException {
        return true;
    }

    /**
     * @return whether the loop's write readiness says the next send fits: true for UDP and
     *         connected sockets; false for an unconnected unix datagram socket, which the kernel
     *         reports writable while the receiver's queue is full
     */
    boolean reportsRoom();

    /** @return the largest datagram the socket can carry */
    int maxDatagram();

    /**
     * @param loop    the netdev's loop
     * @param handler its ready handler
     * @return the registration for read interest
     * @throws IOException when it cannot be watched
     */
    IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException;

    /** Closes the socket (and removes what it created on disk). */
    void close();
}
