package net.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.control.Section;
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
 * A hub with N ports (the source's and N-1 others, each hubport peered with a {@code mem}
 * netdev): frames from the source in, one copy out of every other port. One operation is one
 * frame in, so the score is input frames per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HubFanOutBench {

    private static final int BATCH = 1000;

    @Param({"2", "4", "8"})
    public int ports;

    @Param({"64", "1514"})
    public int size;

    private Rig rig;
    private MemNetdev.Client source;
    private ByteBuffer frame;

    @Setup
    public void setUp() throws Exception {
        rig = new Rig();
        for (int i = 0; i < ports; i++) {
            rig.add(Section.NETDEV, "mem,id=m" + i);
            rig.add(Section.NETDEV, "hubport,id=h" + i + ",hubid=0,netdev=m" + i);
        }
        source = rig.mem("m0");
        frame = Rig.frame(size);
    }

    @TearDown
    public void tearDown() {
        rig.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long forward() throws Exception {
        return Rig.send(source, frame, BATCH);
    }
}
