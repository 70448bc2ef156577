package net.backend.l2tpv3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * IP encapsulation (RFC 3931 §4.1.1): a raw socket for protocol 115. IPv4 raw sockets hand over
 * the IP header with each packet and IPv6 ones do not, so IPv4 packets are read past their header
 * (IHL words, not QEMU's fixed 20 bytes, so IP options do not break parsing). Sends are one
 * gathering write of header and frame on the connected socket.
 */
final class RawSocket implements TunnelSocket {

    private static final int IPV4_MIN_HEADER = 20;

    private final FdChannel channel;
    private final boolean ipv4;
    /** Header and frame of one packet, written together. */
    private final ByteBuffer[] packet = new ByteBuffer[2];

    private RawSocket(FdChannel channel, boolean ipv4) {
        this.channel = channel;
        this.ipv4 = ipv4;
    }

    /**
     * @param ipv6 the address family
     * @return a non-blocking raw socket for protocol 115
     * @throws IOException ({@code EPERM}) without CAP_NET_RAW
     */
    static RawSocket open(boolean ipv6) throws IOException {
        return new RawSocket(FdChannel.socket(ipv6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_RAW, IPPROTO_L2TP),
                !ipv6);
    }

    @Override
    public void bind(InetSocketAddress local) throws IOException {
        channel.bind(local);
    }

    @Override
    public void connect(InetSocketAddress remote) throws IOException {
        channel.connect(remote);
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(channel.fd(), SelectionKey.OP_READ, handler);
    }

    @Override
    public boolean receive(ByteBuffer into) throws IOException {
        try {
            if (channel.receive(into) < 0) {
                return false;
            }
        } catch (PosixException e) {
            throw unreachable(e);
        }
        into.flip();
        if (ipv4) {
            int ihl = into.remaining() < IPV4_MIN_HEADER ? 0 : (into.get(0) & 0x0f) * 4;
            into.position(ihl < IPV4_MIN_HEADER || ihl > into.limit() ? into.limit() : ihl);
        }
        return true;
    }

    @Override
    public boolean send(ByteBuffer header, ByteBuffer frame) throws IOException {
        packet[0] = header;
        packet[1] = frame;
        try {
            return channel.write(packet) != 0;
        } catch (PosixException e) {
            throw unreachable(e);
        } finally {
            packet[1] = null; // the frame is the caller's only for this call
        }
    }

    /**
     * An ICMP error for an earlier packet is reported on the connected socket's next call (the peer
     * is not up yet: no protocol-115 socket there, or no route); say so as UDP sockets do.
     */
    private static IOException unreachable(PosixException e) {
        return switch (e.errno()) {
            case Libc.ENOPROTOOPT, Libc.ECONNREFUSED, Libc.EHOSTUNREACH, Libc.ENETUNREACH -> new PortUnreachableException(e.getMessage());
            default -> e;
        };
    }

    @Override
    public void close() {
        channel.close();
    }
}
