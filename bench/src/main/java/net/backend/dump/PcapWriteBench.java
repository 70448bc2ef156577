package net.backend.dump;

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
 * A pcap record per frame into filter-dump's {@link CaptureRing} (what the event loop pays), and
 * the ring drained to /dev/null (what the capture's writer thread pays, without the disk): one
 * operation is one frame. The benchmark sits in the driver's package to reach the package-private
 * ring.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PcapWriteBench {

    private static final int FRAMES = 1000;

    @Param({"64", "1514"})
    public int size;

    private CaptureRing ring;
    private ByteBuffer frame;
    private FileChannel devNull;

    @Setup
    public void setUp() throws Exception {
        ring = new CaptureRing(CaptureRing.DEFAULT_CAPACITY);
        frame = Rig.frame(size);
        devNull = FileChannel.open(Path.of("/dev/null"), StandardOpenOption.WRITE);
    }

    @TearDown
    public void tearDown() throws Exception {
        devNull.close();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long record() throws Exception {
        long micros = System.nanoTime() / 1000;
        for (int i = 0; i < FRAMES; i++) {
            if (!ring.offer(micros / 1_000_000, (int) (micros % 1_000_000), frame, PcapFormat.DEFAULT_SNAPLEN)) {
                throw new IllegalStateException("ring full: " + ring.pending());
            }
        }
        return ring.drainTo(devNull);
    }
}
