package net.backend.socket;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.util.Collections;
import java.util.function.BiFunction;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetException;
import net.driverkit.PacketClient;
import net.driverkit.PacketWire;
import net.posix.FdChannel;
import net.posix.Libc;

/**
 * {@code socket,udp=}/{@code socket,mcast=}/{@code socket,fd=} of a datagram socket and
 * {@code dgram} (inet, unix, fd): one raw Ethernet frame per datagram, no header. Any datagram arriving on the local port is taken, whatever its source, as in
 * QEMU. Multicast follows QEMU's settings: SO_REUSEADDR, bound to the group's port, joined,
 * loopback on (so processes on one host hear each other, and the netdev hears itself), the kernel's
 * TTL of 1, and the sending interface set when one is given.
 *
 * <p>This is the backend's own part, a {@link PacketWire}: the socket and the checks of each
 * datagram. {@link PacketClient} runs the rest (read loop, flow control, send and receive errors).
 */
final class DatagramBackend implements PacketWire {

    /**
     * The receive buffer asked for: the default 208 KiB holds only a few hundred small datagrams
     * (each costs its buffer's true size), a millisecond of a flood; the kernel caps the request
     * at net.core.rmem_max. Memory is only used while datagrams wait.
     */
    static final int RECEIVE_BUFFER = 4 << 20;
    /** One byte more than the largest frame, so an oversized datagram is seen rather than cut. */
    private static final int READ_BUFFER = NetClient.MAX_FRAME + 1;

    private final DatagramPort port;
    private final int maxDatagram;
    private final NetCounter oversized;
    private final NetCounter empty;

    private DatagramBackend(NetClientContext context, DatagramPort port) {
        this.port = port;
        this.maxDatagram = port.maxDatagram();
        this.oversized = context.dropCounter("oversized");
        this.empty = context.dropCounter("empty-datagram");
    }

    /**
     * A unicast socket bound to {@code local}, sending to {@code remote}.
     *
     * @param context the netdev
     * @param local   the address to bind
     * @param remote  where frames go
     * @param info    the info string from the bound local address and the remote one
     * @return the running client
     * @throws NetException with QEMU's words when the socket cannot be bound
     */
    static NetClient unicast(NetClientContext context, InetSocketAddress local, InetSocketAddress remote,
            BiFunction<InetSocketAddress, InetSocketAddress, String> info) throws NetException {
        FdChannel channel = datagramSocket(local.getAddress() instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET);
        try {
            channel.setIntOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF, RECEIVE_BUFFER);
        } catch (IOException e) {
            // the default buffer works, it only loses more of a burst
        }
        try {
            channel.setIntOption(Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1);
        } catch (IOException e) {
            channel.close();
            throw NetException.generic("can't set socket option SO_REUSEADDR: %s", Sockets.reason(e));
        }
        InetSocketAddress bound;
        try {
            channel.bind(local);
            bound = (InetSocketAddress) channel.localAddress();
        } catch (IOException e) {
            channel.close();
            throw NetException.generic("can't bind ip=%s to socket: %s", local.getAddress().getHostAddress(),
                    Sockets.reason(e));
        }
        return start(context, new FdDatagramPort(channel, remote, null, true), info.apply(bound, remote));
    }

    /**
     * A member of the multicast group.
     *
     * @param context   the netdev
     * @param group     the group and port; frames go there
     * @param interfaceAddress the local interface's address, or null for the default
     * @param info      the info string
     * @return the running client
     * @throws NetException with QEMU's words when a socket option or the join fails
     */
    static NetClient multicast(NetClientContext context, InetSocketAddress group, InetAddress interfaceAddress,
            String info) throws NetException {
        DatagramChannel channel = create(group.getAddress());
        bind(channel, group);
        try {
            NetworkInterface nif = pickInterface(interfaceAddress);
            if (nif == null) {
                throw new SocketException("No such device");
            }
            channel.join(group.getAddress(), nif);
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            throw NetException.generic("can't add socket to multicast group %s: %s",
                    group.getAddress().getHostAddress(), Sockets.reason(e));
        }
        try {
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            throw NetException.generic("can't force multicast message to loopback: %s", Sockets.reason(e));
        }
        if (interfaceAddress != null) {
            try {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, pickInterface(interfaceAddress));
            } catch (IOException e) {
                Sockets.closeQuietly(channel);
                throw NetException.generic("can't set the default network send interface: %s", Sockets.reason(e));
            }
        }
        return start(context, new UdpPort(channel, group), info);
    }

    /**
     * {@code dgram} between two unix paths: binds {@code local} (replacing a file left there, as
     * QEMU does) and sends to {@code remote}, which may appear later.
     *
     * @param context the netdev
     * @param local   the path to bind; removed again when the netdev closes
     * @param remote  where frames go
     * @return the running client
     * @throws NetException with QEMU's words when the socket cannot be bound
     */
    static NetClient unix(NetClientContext context, UnixDomainSocketAddress local,
            UnixDomainSocketAddress remote) throws NetException {
        try {
            Files.deleteIfExists(local.getPath());
        } catch (IOException e) {
            throw NetException.generic("failed to unlink socket %s: %s", local.getPath(), Sockets.reason(e));
        }
        FdChannel channel = datagramSocket(Libc.AF_UNIX);
        try {
            channel.bind(local);
        } catch (IOException e) {
            channel.close();
            throw NetException.generic("can't bind unix=%s to socket: %s", local.getPath(), Sockets.reason(e));
        }
        return start(context, new FdDatagramPort(channel, remote, local.getPath(), false),
                "udp=" + local.getPath() + ":" + remote.getPath());
    }

    /**
     * An inherited datagram socket, connected by whoever made it: frames go to its peer.
     *
     * @param context the netdev
     * @param channel the adopted descriptor
     * @param info    the info string
     * @return the running client
     * @throws NetException when it cannot be watched
     */
    static NetClient inherited(NetClientContext context, FdChannel channel, String info) throws NetException {
        return start(context, new FdDatagramPort(channel, null, null, isUdp(channel)), info);
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        if (!port.receive(into)) {
            return Read.NONE;
        }
        into.flip();
        if (into.remaining() > NetClient.MAX_FRAME) {
            oversized.increment();
            return Read.DROPPED;
        }
        if (!into.hasRemaining()) {
            // QEMU stops reading at an empty datagram; one stray packet must not stop the netdev.
            empty.increment();
            return Read.DROPPED;
        }
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        if (frame.remaining() > maxDatagram) {
            // No UDP datagram can carry it (QEMU's send fails the same way); count it, do not log per frame.
            oversized.increment();
            return Delivery.DROPPED;
        }
        return port.send(frame) ? Delivery.DELIVERED : Delivery.RETRY_LATER;
    }

    @Override
    public boolean holdsPackets() {
        return port.holdsDatagrams();
    }

    @Override
    public boolean gathers() {
        return port.gathers();
    }

    @Override
    public boolean flush() throws IOException {
        return port.flush();
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return port.register(loop, handler);
    }

    /** False for an unconnected unix socket, reported writable at once and again: the client retries a little later. */
    @Override
    public boolean reportsRoom() {
        return port.reportsRoom();
    }

    @Override
    public void close() {
        port.close();
    }

    /** An inherited UDP socket gathers its frames too; anything else (unix datagrams) may not. */
    private static boolean isUdp(FdChannel channel) {
        try {
            return channel.intOption(Libc.SOL_SOCKET, Libc.SO_PROTOCOL) == Libc.IPPROTO_UDP;
        } catch (IOException e) {
            return false;
        }
    }

    private static FdChannel datagramSocket(int domain) throws NetException {
        try {
            return FdChannel.socket(domain, Libc.SOCK_DGRAM, 0);
        } catch (IOException e) {
            throw NetException.generic("can't create datagram socket: %s", Sockets.reason(e));
        }
    }

    private static DatagramChannel create(InetAddress address) throws NetException {
        try {
            DatagramChannel channel = DatagramChannel.open(address instanceof Inet6Address
                    ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
            channel.configureBlocking(false);
            try {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
            } catch (IOException e) {
                // the default buffer works, it only loses more of a burst
            }
            return channel;
        } catch (IOException e) {
            throw NetException.generic("can't create datagram socket: %s", Sockets.reason(e));
        }
    }

    private static void bind(DatagramChannel channel, InetSocketAddress local) throws NetException {
        try {
            // Several QEMUs (and Patchbays) on one host share a multicast group's port.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            throw NetException.generic("can't set socket option SO_REUSEADDR: %s", Sockets.reason(e));
        }
        try {
            channel.bind(local);
        } catch (IOException e) {
            Sockets.closeQuietly(channel);
            throw NetException.generic("can't bind ip=%s to socket: %s", local.getAddress().getHostAddress(),
                    Sockets.reason(e));
        }
    }

    private static NetClient start(NetClientContext context, DatagramPort port, String info) throws NetException {
        try {
            return PacketClient.start(context, new DatagramBackend(context, port), READ_BUFFER, info);
        } catch (IOException e) {
            port.close();
            throw NetException.generic("can't create datagram socket: %s", Sockets.reason(e));
        }
    }

    /**
     * The interface that owns {@code address}; without one, QEMU joins on INADDR_ANY (the kernel's
     * choice by route), which the JDK cannot express: take the first multicast-capable interface
     * that is up and not loopback, else loopback.
     */
    private static NetworkInterface pickInterface(InetAddress address) throws SocketException {
        if (address != null) {
            return NetworkInterface.getByInetAddress(address);
        }
        NetworkInterface loopback = null;
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp()) {
                continue;
            }
            if (nif.isLoopback()) {
                loopback = nif;
            } else if (nif.supportsMulticast() && nif.inetAddresses().anyMatch(a -> !(a instanceof Inet6Address))) {
                return nif;
            }
        }
        return loopback;
    }
}
