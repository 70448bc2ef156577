package net.backend.socket;

import java.net.SocketAddress;
import net.api.NetClientContext;

/**
 * How a stream backend shows its connection state: the {@code info network} string and, for
 * {@code stream}, QEMU's events. The one difference between {@code socket}'s listen/connect and
 * {@code stream}'s server/client.
 */
interface ConnectionReporter {

    /**
     * A connection is up.
     *
     * @param context the netdev
     * @param address the address to show: the client's for a TCP server, the path for a unix one,
     *                the server's for a client
     * @return the info string now
     */
    String connected(NetClientContext context, SocketAddress address);

    /**
     * The connection closed; the backend waits for the next client or reconnects.
     *
     * @param context the netdev
     * @return the info string now
     */
    String disconnected(NetClientContext context);

    /** @return the info string while a client's connection attempt failed */
    String connectFailed();
}
