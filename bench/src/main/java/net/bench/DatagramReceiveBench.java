package net.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.posix.FdChannel;
import net.posix.Libc;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Does batched receive pay (issue 8: recvmmsg through FFM)? A burst of {@link #BURST} datagrams
 * over loopback UDP, taken either with one {@code recvfrom} per datagram (what the drivers do:
 * {@code FdChannel.receive} in a loop, or the JDK's channel) or with {@code recvmmsg} calls of up
 * to {@link #BURST} datagrams. Both sides send the same burst the same way, so the difference per
 * datagram is the receive side's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DatagramReceiveBench {

    static final int BURST = 32;
    private static final int ROOM = 2048;
    private static final long MMSGHDR = 64;
    private static final long IOVEC = 16;
    private static final MethodHandle RECVMMSG = Libc.function("recvmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));

    @Param({"64", "1514"})
    int size;

    private FdChannel rx;
    private FdChannel tx;
    private ByteBuffer frame;
    private ByteBuffer one;
    private final Arena arena = Arena.ofShared();
    private MemorySegment headers;

    @Setup(Level.Trial)
    public void open() throws IOException {
        rx = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
        rx.setIntOption(Libc.SOL_SOCKET, Libc.SO_RCVBUF, 4 << 20);
        rx.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tx = FdChannel.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
        tx.connect(rx.localAddress());
        frame = ByteBuffer.allocateDirect(size);
        one = ByteBuffer.allocateDirect(ROOM);
        MemorySegment buffers = arena.allocate((long) ROOM * BURST, 64);
        MemorySegment iovecs = arena.allocate(IOVEC * BURST, 8);
        headers = arena.allocate(MMSGHDR * BURST, 8);
        for (int i = 0; i < BURST; i++) {
            iovecs.set(ADDRESS, i * IOVEC, buffers.asSlice((long) i * ROOM, ROOM));
            iovecs.set(JAVA_LONG, i * IOVEC + 8, ROOM);
            // struct msghdr: name, namelen, iov, iovlen, control, controllen, flags; then msg_len.
            headers.set(ADDRESS, i * MMSGHDR + 16, iovecs.asSlice(i * IOVEC, IOVEC));
            headers.set(JAVA_LONG, i * MMSGHDR + 24, 1);
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        rx.close();
        tx.close();
        arena.close();
    }

    private void sendBurst() throws IOException {
        for (int i = 0; i < BURST; i++) {
            frame.clear();
            tx.send(frame, null);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int oneCallPerDatagram() throws IOException {
        sendBurst();
        int got = 0;
        while (got < BURST) {
            one.clear();
            if (rx.receive(one) >= 0) {
                got++;
            }
        }
        return got;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public int recvmmsg() throws Throwable {
        sendBurst();
        int got = 0;
        while (got < BURST) {
            int n = (int) RECVMMSG.invokeExact(Libc.callState(), rx.fd(), headers.asSlice(got * MMSGHDR),
                    BURST - got, Libc.MSG_DONTWAIT, MemorySegment.NULL);
            if (n > 0) {
                got += n;
            }
        }
        return got;
    }
}
