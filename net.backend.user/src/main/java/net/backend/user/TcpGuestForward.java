package net.backend.user;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * A guest forward to a TCP endpoint ({@code guestfwd=tcp:SERVER:PORT-tcp:HOST:HOSTPORT}), as QEMU's
 * {@code tcp:} character device does it: connected once when the netdev is made; what the guest
 * sends to SERVER:PORT goes to the endpoint, what the endpoint sends goes to the guest's
 * connection as far as libslirp can take it (the rest waits in the socket).
 */
final class TcpGuestForward implements SlirpStack.GuestWriter, AutoCloseable {

    /** What the guest sent that the endpoint has not taken yet, at most this much. */
    private static final int PENDING_LIMIT = 1 << 20;
    private static final int CHUNK = 64 * 1024;
    private static final MemorySegment EVERYTHING = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private final SlirpStack stack;
    private final SocketChannel channel;
    private final int port;
    private final MemorySegment chunk;
    private final ByteBuffer chunkView;
    private final ByteBuffer pending = ByteBuffer.allocateDirect(PENDING_LIMIT);
    /** The guest-visible address libslirp chose or took, as a {@code struct in_addr}. */
    private MemorySegment server;
    private IoRegistration registration;

    private TcpGuestForward(SlirpStack stack, SocketChannel channel, int port) {
        this.stack = stack;
        this.channel = channel;
        this.port = port;
        this.chunk = stack.allocate(CHUNK);
        this.chunkView = chunk.asByteBuffer();
        pending.flip();
    }

    /**
     * Connects to the endpoint (a short blocking connect, as QEMU's chardev makes it) and sets the
     * forward up.
     *
     * @return the forward, or null when libslirp refused the rule
     * @throws IOException when the endpoint cannot be reached
     */
    static TcpGuestForward open(SlirpStack stack, NetEventLoop loop, GuestForward rule, InetSocketAddress endpoint)
            throws IOException {
        SocketChannel channel = SocketChannel.open(endpoint);
        try {
            channel.configureBlocking(false);
            TcpGuestForward fwd = new TcpGuestForward(stack, channel, rule.port());
            Integer address = stack.addGuestForward(rule.server(), rule.port(), fwd);
            if (address == null) {
                channel.close();
                return null;
            }
            fwd.server = stack.inAddr(address);
            fwd.registration = loop.register(channel, SelectionKey.OP_READ, fwd::ready);
            return fwd;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public long write(long address, long length) {
        try {
            long taken = 0;
            if (!pending.hasRemaining()) {
                // Straight to the endpoint while nothing waits before it.
                while (taken < length) {
                    int n = (int) Math.min(CHUNK, length - taken);
                    load(address + taken, n);
                    channel.write(chunkView);
                    taken += n - chunkView.remaining();
                    if (chunkView.hasRemaining()) {
                        break;
                    }
                }
            }
            while (taken < length) { // the endpoint is slow: keep the rest, bounded
                int n = (int) Math.min(CHUNK, length - taken);
                load(address + taken, n);
                if (!keep(chunkView)) {
                    break; // libslirp keeps what was not taken and offers it again
                }
                taken += n;
            }
            interest();
            return taken;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private void load(long address, int n) {
        chunkView.clear().limit(n);
        MemorySegment.copy(EVERYTHING, address, chunk, 0, n);
    }

    /** @return false when the pending buffer is full */
    private boolean keep(ByteBuffer bytes) {
        pending.compact();
        try {
            if (pending.remaining() < bytes.remaining()) {
                return false;
            }
            pending.put(bytes);
            return true;
        } finally {
            pending.flip();
        }
    }

    private void ready(int ops) {
        try {
            if ((ops & SelectionKey.OP_WRITE) != 0 && pending.hasRemaining()) {
                channel.write(pending);
            }
            if ((ops & SelectionKey.OP_READ) != 0 && !pump()) {
                close();
                return;
            }
        } catch (IOException e) {
            close();
            return;
        }
        interest();
    }

    /**
     * Moves what the endpoint sent into the guest's connection, as far as it can take it now.
     *
     * @return false when the endpoint closed
     */
    private boolean pump() throws IOException {
        long room = stack.guestCanReceive(server, port);
        if (room <= 0) {
            return true; // no guest connection yet, or its window is full: a later cycle looks again
        }
        chunkView.clear().limit((int) Math.min(CHUNK, room));
        int n = channel.read(chunkView);
        if (n > 0) {
            stack.guestReceive(server, port, chunk, n);
        }
        return n >= 0;
    }

    /** After every cycle of the netdev: the guest may have connected or made room. */
    void afterCycle() {
        if (registration != null && (registration.interestOps() & SelectionKey.OP_READ) == 0) {
            interest();
        }
    }

    private void interest() {
        if (registration == null || server == null) {
            return;
        }
        boolean room = stack.guestCanReceive(server, port) > 0;
        registration.interestOps((room ? SelectionKey.OP_READ : 0) | (pending.hasRemaining() ? SelectionKey.OP_WRITE : 0));
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // gone either way
        }
    }
}
