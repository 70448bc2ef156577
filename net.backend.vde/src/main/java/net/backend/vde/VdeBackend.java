package net.backend.vde;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import net.posix.PosixException;

/**
 * A port of a vde_switch: a datagram socket carrying one frame per datagram, and the control
 * stream that holds the port (the switch frees it when the stream closes, and the stream ends when
 * the switch does).
 *
 * <p>When the switch goes away (its control stream ends, or a send finds its socket gone) the
 * netdev stays up: frames for the switch are dropped and counted as {@value #NO_SWITCH}, and the
 * port is asked for again on the loop's timer, at most {@value #MAX_RETRY_MILLIS} ms apart, until a
 * switch answers on the same directory. The datagram socket stays bound (its path is removed only
 * when the netdev closes), so a new switch can reach the same socket and the netdev's descriptor
 * never changes. QEMU leaves the port dead instead.
 *
 * <p>Everything but {@link #open} runs on the netdev's loop and never blocks.
 */
final class VdeBackend implements PacketWire {

    /** Drop reason of frames for a switch that is gone. */
    static final String NO_SWITCH = "no-switch";
    /** How often a new switch port was obtained after the switch went away. */
    static final String REJOINS = "rejoin";
    /** What vde_switch shows for the port. */
    static final String DESCRIPTION = "Patchbay";
    /** How long {@link #open} waits for the switch's answer (QEMU waits without a bound). */
    static final int OPEN_WAIT_MILLIS = 2000;
    /** How long a rejoin waits for the switch's answer before trying again. */
    static final long REPLY_WAIT_MILLIS = 1000;
    static final long FIRST_RETRY_MILLIS = 100;
    static final long MAX_RETRY_MILLIS = 2000;

    private static final AtomicInteger SOCKETS = new AtomicInteger();
    private static final short POLLIN = 1;
    private static final int ENAMETOOLONG = 36;
    private static final int EADDRINUSE = 98;
    private static final int ETIMEDOUT = 110;
    private static final MethodHandle POLL = Libc.function("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.function("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    /** A {@code struct sockaddr} of family AF_UNSPEC (0): connecting to it dissolves a datagram association. */
    private static final MemorySegment UNSPEC = Arena.global().allocate(16, 8);

    private final NetClientContext context;
    private final Path controlPath;
    private final FdChannel data;
    private final Path dataPath;
    private final ByteBuffer request;
    private final ByteBuffer reply = ByteBuffer.allocate(SwitchProtocol.SOCKADDR_UN);
    /** Where the control stream's bytes go once the port is held: the switch sends none. */
    private final ByteBuffer discard = ByteBuffer.allocate(64);
    private final NetCounter noSwitch;
    private final NetCounter empty;
    private final NetCounter rejoins;
    private NetEventLoop loop;
    private FdChannel control;
    private IoRegistration controlWatch;
    private NetEventLoop.Cancellable timer;
    /** Whether the data socket is connected to a live switch port. */
    private boolean joined;
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean closed;

    private VdeBackend(NetClientContext context, Path dir, FdChannel data, Path dataPath, int port) {
        this.context = context;
        this.controlPath = dir.resolve("ctl");
        this.data = data;
        this.dataPath = dataPath;
        this.request = SwitchProtocol.request(port, dataPath, DESCRIPTION);
        this.noSwitch = context.dropCounter(NO_SWITCH);
        this.empty = context.dropCounter("empty-datagram");
        this.rejoins = context.counter(REJOINS);
    }

    /**
     * Takes a port of the switch in {@code dir}, as QEMU does at start-up: a failure is the
     * netdev's error.
     *
     * @param context the netdev
     * @param dir     the switch's directory
     * @param info    the sock option as given, for {@code info network}
     * @param port    the port wanted, 0 for any
     * @param group   the group given the data socket, or null
     * @param mode    the data socket's permissions
     * @return the running client
     * @throws NetException "Could not open vde: REASON"
     */
    static NetClient open(NetClientContext context, Path dir, String info, int port, String group, int mode)
            throws NetException {
        FdChannel data = null;
        Path dataPath = null;
        VdeBackend backend = null;
        try {
            data = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0);
            dataPath = bind(data, dir);
            permit(dataPath, group, mode);
            backend = new VdeBackend(context, dir, data, dataPath, port);
            backend.joinNow();
            return PacketClient.start(context, backend, NetClient.MAX_FRAME, "sock=" + info + ",fd=" + data.fd());
        } catch (IOException e) {
            if (backend != null) {
                backend.close();
            } else {
                if (data != null) {
                    data.close();
                }
                deleteQuietly(dataPath);
            }
            throw NetException.generic("Could not open vde: %s", e.getMessage());
        }
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        int n = data.receive(into);
        if (n < 0) {
            return Read.NONE;
        }
        into.flip();
        if (n == 0) {
            empty.increment();
            return Read.DROPPED;
        }
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        if (!joined) {
            noSwitch.increment();
            return Delivery.DROPPED;
        }
        try {
            return data.send(frame, null) != 0 || !frame.hasRemaining() ? Delivery.DELIVERED : Delivery.RETRY_LATER;
        } catch (PosixException e) {
            if (e.errno() == Libc.ECONNREFUSED || e.errno() == Libc.ENOENT || e.errno() == Libc.ENOTCONN) {
                // The switch's socket is gone before its control stream told us.
                noSwitch.increment();
                lost("its port's socket is gone");
                return Delivery.DROPPED;
            }
            throw e;
        }
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        this.loop = loop;
        IoRegistration watch = loop.register(data.fd(), SelectionKey.OP_READ, handler);
        try {
            controlWatch = loop.register(control.fd(), SelectionKey.OP_READ, this::controlReady);
        } catch (IOException e) {
            watch.cancel();
            throw e;
        }
        return watch;
    }

    @Override
    public void close() {
        closed = true;
        joined = false;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        dropControl();
        data.close();
        deleteQuietly(dataPath);
    }

    /** At start-up: connect, ask, and wait (bounded) for the answer. */
    private void joinNow() throws IOException {
        control = ask();
        int waited = poll(control.fd(), OPEN_WAIT_MILLIS);
        while (reply.hasRemaining()) {
            if (waited <= 0) {
                throw Libc.error(waited < 0 ? -waited : ETIMEDOUT);
            }
            if (control.read(reply) < 0) {
                throw Libc.error(Libc.ECONNREFUSED); // the switch refused the port and hung up
            }
            waited = reply.hasRemaining() ? poll(control.fd(), OPEN_WAIT_MILLIS) : 1;
        }
        attach();
    }

    /** Connects the control stream and writes the request; the answer comes later. */
    private FdChannel ask() throws IOException {
        FdChannel stream = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0);
        try {
            // A unix stream connects at once or fails (EAGAIN when the switch's backlog is full).
            stream.connect(UnixDomainSocketAddress.of(controlPath));
            ByteBuffer out = request.duplicate();
            stream.write(out);
            if (out.hasRemaining()) {
                throw Libc.error(Libc.EAGAIN);
            }
            reply.clear();
            return stream;
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** The answer is complete: send to the switch's socket for the port from now on. */
    private void attach() throws IOException {
        data.connect(UnixDomainSocketAddress.of(SwitchProtocol.port(reply.flip())));
        joined = true;
        retryMillis = FIRST_RETRY_MILLIS;
    }

    private void controlReady(int readyOps) {
        try {
            if (joined) {
                discard.clear();
                if (control.read(discard) < 0) {
                    lost("its control stream ended");
                }
                return;
            }
            if (control.read(reply) < 0) {
                throw Libc.error(Libc.ECONNREFUSED);
            }
            if (!reply.hasRemaining()) {
                cancelTimer();
                attach();
                rejoins.increment();
                context.logger().log(System.Logger.Level.INFO, "vde netdev {0}: rejoined the switch at {1}",
                        context.id(), controlPath.getParent());
            }
        } catch (IOException e) {
            if (joined) {
                lost(e.getMessage());
            } else {
                retryLater();
            }
        }
    }

    /** The switch went away: keep the netdev, drop what is sent, and ask a new switch later. */
    private void lost(String why) {
        joined = false;
        // A unix datagram socket still connected to the dead port refuses every other sender (the
        // kernel answers a new switch's connect with EPERM): dissolve the association first.
        disconnect(data.fd());
        context.logger().log(System.Logger.Level.WARNING,
                "vde netdev {0}: the switch at {1} is gone ({2}); frames are dropped until a switch is back",
                context.id(), controlPath.getParent(), why);
        retryLater();
    }

    private void retryLater() {
        dropControl();
        cancelTimer();
        if (closed) {
            return;
        }
        timer = loop.schedule(this::rejoin, retryMillis, TimeUnit.MILLISECONDS);
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
    }

    private void rejoin() {
        timer = null;
        if (closed) {
            return;
        }
        try {
            control = ask();
            controlWatch = loop.register(control.fd(), SelectionKey.OP_READ, this::controlReady);
            timer = loop.schedule(this::retryLater, REPLY_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            retryLater(); // no switch yet
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void dropControl() {
        if (controlWatch != null) {
            controlWatch.cancel();
            controlWatch = null;
        }
        if (control != null) {
            control.close();
            control = null;
        }
    }

    /**
     * Binds the data socket to a fresh name in the switch's directory ({@code .PID-N}), or in /tmp
     * when the directory takes none (not writable, a path too long for a unix address).
     */
    private static Path bind(FdChannel data, Path dir) throws IOException {
        long pid = ProcessHandle.current().pid();
        IOException failure = null;
        for (Path place : new Path[] {dir, Path.of("/tmp")}) {
            String prefix = place == dir ? "." : "vde.";
            for (int attempt = 0; attempt < 16; attempt++) {
                Path path = place.resolve(String.format("%s%05d-%05d", prefix, pid, SOCKETS.getAndIncrement() % 100000));
                try {
                    data.bind(UnixDomainSocketAddress.of(path));
                    return path;
                } catch (IOException e) {
                    failure = e;
                    if (!(e instanceof PosixException p) || p.errno() != EADDRINUSE) { // try the next place
                        break;
                    }
                } catch (IllegalArgumentException e) {
                    failure = new PosixException(ENAMETOOLONG, Libc.strerror(ENAMETOOLONG));
                    break;
                }
            }
        }
        throw failure;
    }

    /** The data socket's mode and group, as the plug library sets them; a group that does not exist is ignored, as there. */
    private static void permit(Path path, String group, int mode) throws IOException {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, 0400 .. 0001
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        Files.setPosixFilePermissions(path, permissions);
        if (group != null) {
            try {
                Files.getFileAttributeView(path, PosixFileAttributeView.class)
                        .setGroup(path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group));
            } catch (IOException e) {
                // libvdeplug ignores a group it cannot set; so does QEMU's netdev
            }
        }
    }

    private static void disconnect(int fd) {
        try {
            // Cannot fail on an open unix datagram socket; a failure would show as the next rejoin's refusal.
            int ignored = (int) CONNECT.invokeExact(Libc.callState(), fd, UNSPEC, 16);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** @return &gt; 0 when readable, 0 on time-out, -errno on failure */
    private static int poll(int fd, int millis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            MemorySegment state = Libc.callState();
            int n;
            do {
                n = (int) POLL.invokeExact(state, pollfd, 1L, millis);
            } while (n < 0 && Libc.errno(state) == Libc.EINTR);
            return n < 0 ? -Libc.errno(state) : n;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void deleteQuietly(Path path) {
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // a socket file left behind is harmless: the next netdev binds a fresh name
        }
    }
}
