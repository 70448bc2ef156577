package net.hub.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop polls briefly after I/O (lower latency for the next frame) and then sleeps: after
 * traffic stops, its thread uses next to no CPU; and what a loop counts of itself: an iteration
 * per wake-up that did work, and its busy time, the polling that finds nothing being waiting.
 */
class EventLoopTest {

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

    @Test
    void everyWakeUpWithWorkCountsOnceAndSpinningNotAtAll() throws Exception {
        EventLoop loop = group.next();
        ClientLoop client = new ClientLoop(loop, LOG);
        Semaphore read = new Semaphore(0);
        ByteBuffer in = ByteBuffer.allocate(64);
        loop.call(() -> client.register(pipe.source(), SelectionKey.OP_READ, ready -> {
            try {
                int n = pipe.source().read(in.clear());
                read.release(Math.max(n, 0));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        long iterations = loop.iterations();
        long busy = loop.busyNanos();
        long start = System.nanoTime();
        int wakeUps = 100;
        for (int i = 0; i < wakeUps; i++) {
            pipe.sink().write(ByteBuffer.wrap(new byte[] {(byte) i}));
            // One byte at a time: each is a wake-up of its own, followed by a spin that finds nothing.
            assertTrue(read.tryAcquire(5, TimeUnit.SECONDS), "byte " + i + " read");
        }
        long elapsed = System.nanoTime() - start;
        // The last iteration is counted when it ends, maybe after its read was seen here.
        Await.until(() -> loop.iterations() - iterations >= wakeUps, Duration.ofSeconds(5), "the last iteration");
        long counted = loop.iterations() - iterations;
        // A spin polls many times: counted, they would be far more.
        assertTrue(counted <= wakeUps + 10, counted + " iterations for " + wakeUps + " reads");
        long worked = loop.busyNanos() - busy;
        assertTrue(worked > 0 && worked < elapsed, worked + " ns busy in " + elapsed + " ns");

        long before = loop.iterations();
        loop.call(() -> null);
        Await.until(() -> loop.iterations() > before, Duration.ofSeconds(5), "a control task counted as work");
        assertEquals(0, loop.frames(), "no client sent a frame");
    }
}
