package net.backend.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code dgram} netdev type (QEMU 7.2): one frame per UDP datagram between {@code local} and
 * {@code remote}, or a multicast bus when {@code remote} is a multicast group (then {@code local}
 * only names the interface). Unix datagram sockets and inherited fds are rejected: the JDK's
 * channels cannot do them.
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
        if (remoteType == null) {
            if (localType == null) {
                throw NetException.generic("dgram requires local= parameter");
            }
            throw NetException.generic("type=inet or type=unix requires remote parameter");
        }
        if (remoteType.equals("inet")) {
            InetSocketAddress remote = SocketAddresses.inet(o.remote());
            if (remote.getAddress().isMulticastAddress()) {
                return openMcast(o, remote, localType, context);
            }
        }
        if (localType == null) {
            throw NetException.generic("dgram requires local= parameter");
        }
        if (!localType.equals(remoteType)) {
            throw NetException.generic("remote and local types must be the same");
        }
        if (!localType.equals("inet")) {
            throw unsupported(localType);
        }
        InetSocketAddress local = SocketAddresses.inet(o.local());
        InetSocketAddress remote = SocketAddresses.inet(o.remote());
        return DatagramBackend.unicast(context, local, remote,
                (bound, to) -> "udp=" + HostPort.format(bound) + "/" + HostPort.format(to));
    }

    private static NetClient openMcast(DgramOptions o, InetSocketAddress group, String localType,
            NetClientContext context) throws NetException {
        InetAddress interfaceAddress = null;
        if (localType != null) {
            if (!localType.equals("inet")) {
                throw unsupported(localType);
            }
            interfaceAddress = SocketAddresses.inet(o.local()).getAddress();
        }
        return DatagramBackend.multicast(context, group, interfaceAddress, "mcast=" + HostPort.format(group));
    }

    private static NetException unsupported(String type) {
        return type.equals("unix")
                ? NetException.generic("dgram: type=unix is not supported by Patchbay (the JDK has no unix datagram channels)")
                : NetException.generic("dgram: type=%s is not supported by Patchbay yet", type);
    }
}
