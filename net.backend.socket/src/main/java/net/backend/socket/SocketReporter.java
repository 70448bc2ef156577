package net.backend.socket;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import net.api.NetClientContext;

/**
 * {@code -netdev socket}'s texts, as QEMU 7.2 prints them: {@code socket: connection from A:P} on
 * the listen side, {@code socket: connect to A:P} on the connect side, and an empty string while
 * not connected. {@code socket} sends no events.
 */
enum SocketReporter implements ConnectionReporter {
    /** {@code listen=}. */
    LISTEN("socket: connection from "),
    /** {@code connect=}. */
    CONNECT("socket: connect to ");

    private final String prefix;

    SocketReporter(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public String connected(NetClientContext context, SocketAddress address) {
        return prefix + HostPort.format((InetSocketAddress) address);
    }

    @Override
    public String disconnected(NetClientContext context) {
        return "";
    }

    @Override
    public String connectFailed() {
        return "";
    }
}
