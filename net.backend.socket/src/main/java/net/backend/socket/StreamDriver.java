package net.backend.socket;

import java.net.SocketAddress;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.posix.FdChannel;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code stream} netdev type (QEMU 7.2): the same framing as {@code socket}'s TCP modes over an
 * inet, unix or inherited ({@code fd}) {@code addr}, as server ({@code server=on}, one client at a time) or client, with
 * QEMU's {@code NETDEV_STREAM_CONNECTED}/{@code _DISCONNECTED} events and {@code reconnect}
 * (QEMU 8, seconds) or {@code reconnect-ms} (QEMU 9.2) for the client.
 */
@Component(service = NetClientDriver.class)
@NetType("stream")
public final class StreamDriver implements NetClientDriver<StreamOptions> {

    @Override
    public Class<StreamOptions> optionsType() {
        return StreamOptions.class;
    }

    @Override
    public NetClient open(StreamOptions o, NetClientContext context) throws NetException {
        String type = SocketAddresses.check("addr", o.addr());
        boolean server = Boolean.TRUE.equals(o.server());
        if (o.reconnect() != null && o.reconnectMs() != null) {
            throw NetException.generic("'reconnect' and 'reconnect-ms' are mutually exclusive");
        }
        long reconnectMs = o.reconnectMs() != null ? o.reconnectMs() : o.reconnect() != null ? o.reconnect() * 1000 : 0;
        if (reconnectMs < 0) {
            throw NetException.generic("'reconnect' must not be negative");
        }
        if (server && reconnectMs > 0) {
            throw NetException.generic("'reconnect' and 'reconnect-ms' are only valid with server=off");
        }
        boolean keepAlive = Boolean.TRUE.equals(o.addr().keepAlive());
        if (type.equals("fd")) {
            if (reconnectMs > 0) {
                throw NetException.generic("'reconnect' and 'reconnect-ms' are not valid with addr.type=fd");
            }
            FdChannel channel = InheritedFd.take(context, o.addr().str());
            return server ? SocketListenBackend.inherited(context, channel, StreamReporter.INSTANCE, keepAlive)
                    : FdStreamBackend.open(context, channel, StreamReporter.INSTANCE);
        }
        SocketAddress address = switch (type) {
            case "inet" -> SocketAddresses.inet(o.addr());
            case "unix" -> SocketAddresses.unix(o.addr());
            default -> throw NetException.generic("addr.type=%s is not supported by Patchbay", type);
        };
        if (server) {
            return SocketListenBackend.open(context, address, StreamReporter.INSTANCE, keepAlive);
        }
        return SocketConnectBackend.open(context, address, StreamReporter.INSTANCE, keepAlive, reconnectMs);
    }
}
