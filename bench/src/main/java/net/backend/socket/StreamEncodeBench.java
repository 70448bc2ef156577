package net.backend.socket;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import net.bench.Rig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * QEMU's stream framing on the way out: frames appended to {@link StreamEncoder} with their
 * lengths, written to /dev/null whenever a batch is full and at the end, as the socket backend does
 * once per loop iteration. One operation is one frame; the write is one system call per 64 KiB.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamEncodeBench {

    private static final int FRAMES = 1000;

    @Param({"64", "1514"})
    public int size;

    private StreamEncoder encoder;
    private ByteBuffer frame;
    private FileChannel devNull;

    @Setup
    public void setUp() throws Exception {
        encoder = new StreamEncoder();
        frame = Rig.frame(size);
        devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
    }

    @TearDown
    public void tearDown() throws Exception {
        devNull.close();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public boolean encode() throws Exception {
        for (int i = 0; i < FRAMES; i++) {
            encoder.append(frame);
            if (encoder.isFull() && !encoder.writeTo(devNull)) {
                throw new IllegalStateException("/dev/null took less than everything");
            }
        }
        return encoder.writeTo(devNull);
    }
}
