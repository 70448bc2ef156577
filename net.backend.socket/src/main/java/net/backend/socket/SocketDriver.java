package net.backend.socket;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.posix.FdChannel;
import net.posix.Libc;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code socket} netdev type: QEMU's {@code -netdev socket} with {@code listen=},
 * {@code connect=}, {@code udp=} and {@code mcast=}, its checks in QEMU's order and words, plus
 * Patchbay's {@code reconnect=} for {@code connect=}. {@code fd=N} takes over an inherited socket:
 * a stream socket carries framed frames, a datagram socket one frame per datagram.
 */
@Component(service = NetClientDriver.class)
@NetType("socket")
public final class SocketDriver implements NetClientDriver<SocketOptions> {

    @Override
    public Class<SocketOptions> optionsType() {
        return SocketOptions.class;
    }

    @Override
    public NetClient open(SocketOptions o, NetClientContext context) throws NetException {
        if (Stream.of(o.fd(), o.listen(), o.connect(), o.mcast(), o.udp()).filter(v -> v != null).count() != 1) {
            // fd counts although QEMU's text does not name it.
            throw NetException.generic("exactly one of listen=, connect=, mcast= or udp= is required");
        }
        if (o.localaddr() != null && o.mcast() == null && o.udp() == null) {
            throw NetException.generic("localaddr= is only valid with mcast= or udp=");
        }
        if (o.reconnect() != null && (o.connect() == null || o.reconnect() < 0)) {
            throw NetException.generic("reconnect= takes a number of seconds (0 or more) and is only valid with connect=");
        }
        if (o.fd() != null) {
            return openFd(o.fd(), context);
        }
        if (o.listen() != null) {
            return SocketListenBackend.open(context, HostPort.parse(o.listen()), SocketReporter.LISTEN, false);
        }
        if (o.connect() != null) {
            long reconnect = o.reconnect() == null ? 0 : TimeUnit.SECONDS.toMillis(o.reconnect());
            return SocketConnectBackend.open(context, HostPort.parse(o.connect()), SocketReporter.CONNECT, false,
                    reconnect);
        }
        if (o.mcast() != null) {
            return openMcast(o, context);
        }
        if (o.localaddr() == null) {
            throw NetException.generic("localaddr= is mandatory with udp=");
        }
        InetSocketAddress local = HostPort.parse(o.localaddr());
        InetSocketAddress remote = HostPort.parse(o.udp());
        return DatagramBackend.unicast(context, local, remote, (bound, to) -> "socket: udp=" + HostPort.format(to));
    }

    private static NetClient openFd(String text, NetClientContext context) throws NetException {
        FdChannel channel = InheritedFd.take(context, text);
        int fd = channel.fd();
        int type = InheritedFd.type(channel);
        if (type == Libc.SOCK_DGRAM) {
            String family = InheritedFd.family(channel);
            return DatagramBackend.inherited(context, channel, "socket: fd=" + fd + (family != null ? " " + family : ""));
        }
        if (type == Libc.SOCK_STREAM) {
            return FdStreamBackend.open(context, channel, new FixedReporter("socket: fd=" + fd));
        }
        channel.close();
        throw NetException.generic("socket type=%d for fd=%d must be either SOCK_DGRAM or SOCK_STREAM", type, fd);
    }

    private static NetClient openMcast(SocketOptions o, NetClientContext context) throws NetException {
        InetSocketAddress group = HostPort.parse(o.mcast());
        Inet4Address interfaceAddress = null;
        if (o.localaddr() != null) {
            interfaceAddress = HostPort.parseIPv4(o.localaddr());
            if (interfaceAddress == null) {
                throw NetException.generic("localaddr '%s' is not a valid IPv4 address", o.localaddr());
            }
        }
        if (!group.getAddress().isMulticastAddress()) {
            byte[] b = group.getAddress().getAddress();
            int value = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
            throw NetException.generic("specified mcastaddr %s (0x%08x) does not contain a multicast address",
                    group.getAddress().getHostAddress(), value);
        }
        return DatagramBackend.multicast(context, group, interfaceAddress, "socket: mcast=" + HostPort.format(group));
    }
}
