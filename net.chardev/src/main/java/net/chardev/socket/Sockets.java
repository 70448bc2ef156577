package net.chardev.socket;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;

/** The socket calls a chardev needs that {@link FdChannel} lacks: listen(2), and poll(2) for set-up on a control thread. */
final class Sockets {

    private static final int SO_REUSEADDR = 2;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    private static final MethodHandle LISTEN = Libc.function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = Libc.function("poll",
            FunctionDescriptor.of(JAVA_INT, java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG, JAVA_INT));

    private Sockets() {
    }

    /** @return a non-blocking stream socket of the address's family */
    static FdChannel stream(SocketAddress address) throws PosixException {
        int family = address instanceof UnixDomainSocketAddress ? Libc.AF_UNIX
                : ((java.net.InetSocketAddress) address).getAddress() instanceof java.net.Inet6Address ? Libc.AF_INET6
                : Libc.AF_INET;
        return FdChannel.socket(family, Libc.SOCK_STREAM, 0);
    }

    /**
     * A listening socket as QEMU makes one: a stale unix socket file is replaced, TCP reuses the address.
     *
     * @throws java.io.IOException with QEMU's message
     */
    static FdChannel listen(SocketAddress address) throws java.io.IOException {
        FdChannel channel = stream(address);
        try {
            if (address instanceof UnixDomainSocketAddress unix) {
                Path path = unix.getPath();
                Files.deleteIfExists(path); // QEMU replaces what is there

                try {
                    channel.bind(address);
                } catch (PosixException e) {
                    throw new java.io.IOException("Failed to bind socket to " + path + ": " + e.getMessage());
                }
            } else {
                channel.setIntOption(Libc.SOL_SOCKET, SO_REUSEADDR, 1);
                try {
                    channel.bind(address);
                } catch (PosixException e) {
                    throw new java.io.IOException("Failed to find an available port: " + e.getMessage());
                }
            }
            MemorySegment state = Libc.callState();
            if ((int) LISTEN.invokeExact(state, channel.fd(), 1) < 0) {
                throw Libc.error(Libc.errno(state));
            }
            return channel;
        } catch (java.io.IOException e) {
            channel.close();
            throw e;
        } catch (Throwable t) {
            channel.close();
            throw new IllegalStateException(t);
        }
    }

    /**
     * Connects, waiting for a TCP connect to complete (a control thread, at creation).
     *
     * @param timeoutMillis how long a TCP connect may take
     * @return the connected socket
     * @throws PosixException why it failed
     */
    static FdChannel connect(SocketAddress address, int timeoutMillis) throws PosixException {
        FdChannel channel = stream(address);
        try {
            if (!channel.connect(address)) {
                if (!await(channel.fd(), false, timeoutMillis)) {
                    throw Libc.error(110); // ETIMEDOUT
                }
                int error = channel.intOption(Libc.SOL_SOCKET, Libc.SO_ERROR);
                if (error != 0) {
                    throw Libc.error(error);
                }
            }
            return channel;
        } catch (PosixException e) {
            channel.close();
            throw e;
        } catch (java.io.IOException e) {
            channel.close();
            throw Libc.error(Libc.EIO);
        }
    }

    /**
     * @param read          wait for reading (a connection to accept) rather than writing
     * @param timeoutMillis -1: for ever
     * @return whether the descriptor became ready
     */
    static boolean await(int fd, boolean read, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, read ? POLLIN : POLLOUT);
            while (true) {
                MemorySegment state = Libc.callState();
                int n = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
                if (n >= 0) {
                    return n > 0;
                }
                if (Libc.errno(state) != Libc.EINTR) {
                    return false;
                }
            }
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
