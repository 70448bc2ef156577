package net.backend.l2tpv3;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetEventLoop;
import net.api.posix.FdChannel;
import net.api.posix.Libc;
import net.api.posix.PosixException;

/**
 * IP encapsulation (RFC 3931 §4.1.1): a raw socket for protocol 115. IPv4 raw sockets hand over
 * the IP header with each packet and IPv6 ones do not, so IPv4 packets are read past their header
 * (IHL words, not QEMU's fixed 20 bytes, so IP options do not break parsing). Sends are one
 * {@code writev} of header and frame on the connected socket.
 */
final class RawSocket implements TunnelSocket {

    private static final MethodHandle WRITEV = Libc.function("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final long IOVEC = 16;
    private static final int IPV4_MIN_HEADER = 20;

    private final FdChannel channel;
    private final boolean ipv4;
    private final Arena arena = Arena.ofShared();
    /** Two {@code struct iovec}: the header and the frame. */
    private final MemorySegment iov = arena.allocate(2 * IOVEC, 8);
    /** Frames in heap buffers have no address to hand the kernel: they are copied here first. */
    private final ByteBuffer heapFrame = ByteBuffer.allocateDirect(NetClient.MAX_FRAME);

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
        return loop.register(channel, SelectionKey.OP_READ, handler);
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
        ByteBuffer direct = frame;
        if (!frame.isDirect()) {
            direct = heapFrame.clear().put(frame.duplicate()).flip();
        }
        iov.set(ADDRESS, 0, MemorySegment.ofBuffer(header));
        iov.set(JAVA_LONG, 8, header.remaining());
        iov.set(ADDRESS, IOVEC, MemorySegment.ofBuffer(direct));
        iov.set(JAVA_LONG, IOVEC + 8, direct.remaining());
        long n;
        MemorySegment state = Libc.callState();
        try {
            n = (long) WRITEV.invokeExact(state, channel.fd(), iov, 2);
        } catch (Throwable t) {
            throw new IOException("writev", t);
        }
        if (n >= 0) {
            return true;
        }
        int errno = Libc.errno(state);
        if (errno == Libc.EAGAIN) {
            return false;
        }
        throw unreachable(Libc.error(errno));
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
        arena.close();
    }
}
