package net.backend.socket;

import java.net.SocketAddress;
import net.api.NetClientContext;

/**
 * A connection whose info string does not depend on the peer: QEMU shows {@code socket,fd=N} of a
 * stream socket as {@code socket: fd=N}, and nothing once it is gone. No events, like all of
 * {@code socket}.
 *
 * @param text the info string while connected
 */
record FixedReporter(String text) implements ConnectionReporter {

    @Override
    public String connected(NetClientContext context, SocketAddress address) {
        return text;
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
