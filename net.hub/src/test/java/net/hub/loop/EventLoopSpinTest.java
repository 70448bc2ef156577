package net.hub.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop polls briefly after I/O (lower latency for the next frame) and then sleeps: after
 * traffic stops, its thread uses next to no CPU.
 */
class EventLoopSpinTest {

    private static final System.Logger LOG = System.getLogger("test");

    private EventLoopGroup group;
    private Pipe pipe;

    @BeforeEach
    void setUp() throws Exception {
        group = new EventLoopGroup(1, LOG);
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
    }

    @AfterEach
    void tearDown() throws Exception {
        pipe.sink().close();
        pipe.source().close();
        group.close();
    }

    @Test
    void aLoopStopsPollingOnceTrafficStops() throws Exception {
        EventLoop loop = group.next();
        ClientLoop client = new ClientLoop(loop, LOG);
        CountDownLatch read = new CountDownLatch(200);
        ByteBuffer in = ByteBuffer.allocate(64);
        loop.call(() -> client.register(pipe.source(), SelectionKey.OP_READ, ready -> {
            try {
                int n;
                while ((n = pipe.source().read(in.clear())) > 0) {
                    for (int i = 0; i < n; i++) {
                        read.countDown(); // the pipe may join writes
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        for (int i = 0; i < 200; i++) {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {(byte) i}));
            Thread.sleep(1); // the point: traffic in separate wake-ups, as a trickle of frames comes
        }
        assertTrue(read.await(5, TimeUnit.SECONDS));
        long thread = loop.call(() -> Thread.currentThread().threadId());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // No condition tells that the loop's polling after I/O has ended (a thread in select() is
        // RUNNABLE either way): give it 100 ms, then measure its CPU over a 500 ms window.
        Thread.sleep(100);
        long before = threads.getThreadCpuTime(thread);
        Thread.sleep(500);
        long used = threads.getThreadCpuTime(thread) - before;
        // A loop that kept polling would use the whole 500 ms.
        assertTrue(used < TimeUnit.MILLISECONDS.toNanos(50), "loop CPU while idle: " + used / 1000 + " us");
    }
}
