package net.backend.socket;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.posix.FdChannel;
import net.posix.Libc;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code dgram} netdev type (QEMU 7.2): one frame per UDP datagram between {@code local} and
 * {@code remote}, or a multicast bus when {@code remote} is a multicast group (then {@code local}
 * only names the interface). Unix datagram sockets ({@code local.type=unix}) and inherited ones
 * ({@code local.type=fd}) go through the loop's descriptor poller, the JDK having no channel for them.
 */
@Component(service = NetClientDriver.class)
@NetType("dgram")
public final class DgramDriver implements NetClientDriver<DgramOptions> {

    @Override
    public Class<DgramOptions> optionsType() {
        return DgramOptions.class;
    }

    @Override
    public NetClient open(DgramOptions o, NetClientContext context) throws NetException {
        String localType = o.local() == null ? null : SocketAddresses.check("local", o.local());
        String remoteType = o.remote() == null ? null : SocketAddresses.check("remote", o.remote());
        if ("inet".equals(remoteType)) {
            InetSocketAddress remote = SocketAddresses.inet(o.remote());
            if (remote.getAddress().isMulticastAddress()) {
                return openMcast(o, remote, localType, context);
            }
        }
        if (localType == null) {
            throw NetException.generic("dgram requires local= parameter");
        }
        if (remoteType != null) {
            if (localType.equals("fd")) {
                throw NetException.generic("don't set remote with local.fd");
            }
            if (!localType.equals(remoteType)) {
                throw NetException.generic("remote and local types must be the same");
            }
        } else if (!localType.equals("fd")) {
            throw NetException.generic("type=inet or type=unix requires remote parameter");
        }
        return switch (localType) {
            case "inet" -> {
                InetSocketAddress local = SocketAddresses.inet(o.local());
                InetSocketAddress remote = SocketAddresses.inet(o.remote());
                yield DatagramBackend.unicast(context, local, remote,
                        (bound, to) -> "udp=" + HostPort.format(bound) + "/" + HostPort.format(to));
            }
            case "unix" -> DatagramBackend.unix(context, SocketAddresses.unix(o.local()),
                    SocketAddresses.unix(o.remote()));
            case "fd" -> openFd(o.local().str(), context);
            default -> throw NetException.generic("only support inet or fd type for local");
        };
    }

    private static NetClient openFd(String text, NetClientContext context) throws NetException {
        FdChannel channel = InheritedFd.take(context, text);
        int fd = channel.fd();
        try {
            channel.localAddress();
        } catch (IOException e) {
            channel.close();
            throw NetException.generic("Unable to query local socket address: %s", Sockets.reason(e));
        }
        if (InheritedFd.type(channel) != Libc.SOCK_DGRAM) {
            // QEMU would read a stream socket as datagrams; its end of stream would look like empty datagrams forever.
            channel.close();
            throw NetException.generic("dgram: fd=%d is not a datagram socket", fd);
        }
        String family = InheritedFd.family(channel);
        return DatagramBackend.inherited(context, channel, "fd=" + fd + (family != null ? " " + family : ""));
    }

    private static NetClient openMcast(DgramOptions o, InetSocketAddress group, String localType,
            NetClientContext context) throws NetException {
        InetAddress interfaceAddress = null;
        if (localType != null) {
            if (!localType.equals("inet")) {
                throw NetException.generic("dgram: multicast with local.type=%s is not supported by Patchbay", localType);
            }
            interfaceAddress = SocketAddresses.inet(o.local()).getAddress();
        }
        return DatagramBackend.multicast(context, group, interfaceAddress, "mcast=" + HostPort.format(group));
    }
}
