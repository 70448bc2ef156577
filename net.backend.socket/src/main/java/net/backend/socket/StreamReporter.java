package net.backend.socket;

import java.net.SocketAddress;
import java.util.Map;
import net.api.NetClientContext;

/**
 * {@code -netdev stream}'s texts and events, as QEMU 7.2 shows them: info {@code tcp:H:P} or
 * {@code unix:PATH} while connected, empty while waiting, {@code connection error} after a failed
 * connect; {@code NETDEV_STREAM_CONNECTED {netdev-id, addr}} and
 * {@code NETDEV_STREAM_DISCONNECTED {netdev-id}}.
 */
final class StreamReporter implements ConnectionReporter {

    /** The one instance: it holds no state. */
    static final StreamReporter INSTANCE = new StreamReporter();

    private StreamReporter() {
    }

    @Override
    public String connected(NetClientContext context, SocketAddress address) {
        context.event("NETDEV_STREAM_CONNECTED",
                Map.of("netdev-id", context.id(), "addr", SocketAddresses.event(address)));
        return SocketAddresses.info(address);
    }

    @Override
    public String disconnected(NetClientContext context) {
        context.event("NETDEV_STREAM_DISCONNECTED", Map.of("netdev-id", context.id()));
        return "";
    }

    @Override
    public String connectFailed() {
        return "connection error";
    }
}
