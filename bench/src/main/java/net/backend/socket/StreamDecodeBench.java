package net.backend.socket;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.bench.PreloadedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * QEMU's stream framing, decoded by {@link StreamFramer} from a channel that always has bytes
 * (64 KiB per read, as the socket backend reads): one operation is one frame. The benchmark sits in
 * the driver's package to reach the package-private framer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamDecodeBench {

    private static final int FRAMES = 1000;

    @Param({"64", "1514"})
    public int size;

    private StreamFramer framer;
    private PreloadedChannel channel;

    @Setup
    public void setUp() {
        ByteBuffer stream = ByteBuffer.allocateDirect(FRAMES * (4 + size));
        for (int i = 0; i < FRAMES; i++) {
            stream.putInt(size);
            for (int b = 0; b < size; b++) {
                stream.put((byte) b);
            }
        }
        stream.flip();
        channel = new PreloadedChannel(stream, 64 * 1024);
        framer = new StreamFramer();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long decode() throws Exception {
        long bytes = 0;
        for (int i = 0; i < FRAMES; i++) {
            if (framer.read(channel) != StreamFramer.Result.FRAME) {
                throw new IllegalStateException("the preloaded stream always holds a frame");
            }
            bytes += framer.frame().remaining();
        }
        return bytes;
    }
}
