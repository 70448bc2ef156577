package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An epoll(7) instance that a JDK {@link java.nio.channels.Selector} can watch, so that one thread
 * waits in one call for the JDK's channels and for raw descriptors alike. An epoll descriptor is
 * readable while any descriptor in it is ready, and the kernel lets one epoll instance watch
 * another; the JDK's selector, though, takes only its own channels. So this class opens a datagram
 * channel and makes the channel's descriptor number name a new epoll instance instead of its
 * socket ({@code dup3}): registered for {@link java.nio.channels.SelectionKey#OP_READ}, the channel
 * is then selected whenever a descriptor {@linkplain #fd() in the instance} is ready, and a
 * non-waiting {@link Epoll#await} tells which.
 *
 * <p>The channel must only be registered and closed, never read or written: its number is an
 * epoll descriptor now. Closing this closes the instance.
 */
public final class SelectableEpoll implements Closeable {

    private final DatagramChannel channel;
    private final int fd;

    private SelectableEpoll(DatagramChannel channel, int fd) {
        this.channel = channel;
        this.fd = fd;
    }

    /**
     * @return a new, empty instance with its channel in non-blocking mode, close-on-exec
     * @throws IOException when the kernel gives no epoll instance or socket
     */
    public static SelectableEpoll open() throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.configureBlocking(false);
            // A bound port names the channel's socket among all this process has open; the
            // wildcard address binds with the loopback interface down too.
            channel.bind(new InetSocketAddress(0));
            int fd = descriptorOf(channel.getLocalAddress());
            int epoll = Epoll.create();
            try {
                Libc.duplicateOnto(epoll, fd); // the socket goes; its port is free again
            } finally {
                Libc.close(epoll);
            }
            return new SelectableEpoll(channel, fd);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The one UDP socket of this process bound to {@code name} (the JDK does not say its number). */
    private static int descriptorOf(SocketAddress name) throws IOException {
        try (Arena arena = Arena.ofConfined();
                DirectoryStream<Path> open = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            MemorySegment address = arena.allocate(SocketAddresses.STORAGE);
            MemorySegment length = arena.allocate(JAVA_INT);
            for (Path entry : open) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                length.set(JAVA_INT, 0, SocketAddresses.STORAGE);
                try {
                    Libc.socketName(fd, false, address, length);
                    if (name.equals(SocketAddresses.decode(address, length.get(JAVA_INT, 0)))
                            && Libc.getIntOption(fd, Libc.SOL_SOCKET, Libc.SO_TYPE) == Libc.SOCK_DGRAM) {
                        return fd;
                    }
                } catch (PosixException e) {
                    // not a socket, or closed since the listing: not ours
                }
            }
        }
        throw new IOException("cannot find the descriptor of the socket bound to " + name);
    }

    /** @return the epoll descriptor, for {@link Epoll#control} and {@link Epoll#await} */
    public int fd() {
        return fd;
    }

    /** @return the channel to register with a selector for reading; never read from or write to it */
    public SelectableChannel channel() {
        return channel;
    }

    /** Closes the instance (when the channel is registered, once the selector lets it go). */
    @Override
    public void close() throws IOException {
        channel.close();
    }
}
