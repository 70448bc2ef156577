package net.bench;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;
import net.api.NetFilterDriver;
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
 * A two-port hub between {@code mem} netdevs, with 0, 1 or 3 pass-through filters on the source
 * netdev (queue=all: each sees the frame once, on its way out): the cost of the filter chain on
 * the frame path. One operation is one frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FilterChainBench {

    private static final int BATCH = 1000;

    /** A filter type {@code filter-pass} that lets every frame through. */
    public static final class PassDriver implements NetFilterDriver<PassDriver.Options> {
        /** No options beyond the common ones. */
        public record Options() {
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public NetFilter open(Options options, NetFilterContext context) throws NetException {
            return new NetFilter() {
                @Override
                public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
                    return true;
                }

                @Override
                public String info() {
                    return "pass";
                }

                @Override
                public void close() {
                    // nothing held
                }
            };
        }
    }

    @Param({"0", "1", "3"})
    public int filters;

    private Rig rig;
    private MemNetdev.Client source;
    private ByteBuffer frame;

    @Setup
    public void setUp() throws Exception {
        rig = new Rig();
        rig.runtime().bindNetFilterDriver(new PassDriver(), Map.of("filter.type", "filter-pass"));
        for (int i = 0; i < 2; i++) {
            rig.add(Section.NETDEV, "mem,id=m" + i);
            rig.add(Section.NETDEV, "hubport,id=h" + i + ",hubid=0,netdev=m" + i);
        }
        for (int i = 0; i < filters; i++) {
            rig.add(Section.OBJECT, "filter-pass,id=f" + i + ",netdev=m0");
        }
        source = rig.mem("m0");
        frame = Rig.frame(64);
    }

    @TearDown
    public void tearDown() {
        rig.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long passThrough() throws Exception {
        return Rig.send(source, frame, BATCH);
    }
}
