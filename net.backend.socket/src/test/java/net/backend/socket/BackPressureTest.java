package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;

/**
 * End-to-end flow control: a fast TCP sender, a slow TCP receiver, a hub between their netdevs.
 * Every frame must arrive, in order, while the runtime's queues stay small: the receiving socket
 * says RETRY_LATER, the sending netdev stops reading, and TCP's window stops the sender.
 */
@Timeout(60)
class BackPressureTest {

    private static final int FRAMES = 100_000;
    private static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

    /**
     * @param loops 1: both netdevs on one loop, so the only queue is the one frame each side holds;
     *              2: they sit on different loops and the hub's copies cross a loop mailbox, which
     *              holds up to its 1024 slots (net.hub's Mailbox.CAPACITY) before the sender pauses
     */
    @ParameterizedTest
    @CsvSource({"1, 2", "2, 1026"})
    void hundredThousandFramesToASlowReaderAllArriveInOrder(int loops, int queueBound) throws Exception {
        try (Fixture fx = new Fixture(loops)) {
            int portA = Fixture.freePort();
            int portB = Fixture.freePort();
            fx.netdev("socket,id=a,listen=127.0.0.1:" + portA);
            fx.netdev("socket,id=b,listen=127.0.0.1:" + portB);
            fx.hub("a", "b");
            try (Peer a = Peer.connect(portA); Peer b = Peer.connect(portB)) {
                fx.awaitConnectionFrom("a", a);
                fx.awaitConnectionFrom("b", b);
                AtomicBoolean done = new AtomicBoolean();
                AtomicInteger maxQueued = new AtomicInteger();
                // Own threads, not the common pool: it may have a single worker.
                CompletableFuture<Void> monitor = CompletableFuture.runAsync(() -> {
                    while (!done.get()) {
                        NetworkDTO network = fx.runtime.network();
                        for (NetClientDTO c : network.clients()) {
                            maxQueued.accumulateAndGet(c.counters().queued(), Math::max);
                        }
                        try {
                            Thread.sleep(2); // the sampling period of the queue monitor
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, THREADS);
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    byte[] frame = new byte[64];
                    try {
                        for (int i = 0; i < FRAMES; i++) {
                            ByteBuffer.wrap(frame).putInt(i);
                            a.out.writeInt(frame.length);
                            a.out.write(frame);
                        }
                        a.out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, THREADS);
                Thread.sleep(1000); // the receiver starts late: everything in between must back up
                for (int i = 0; i < FRAMES; i++) {
                    byte[] frame;
                    try {
                        frame = b.receive();
                    } catch (java.net.SocketTimeoutException e) {
                        throw new AssertionError("stalled at frame " + i + ": " + fx.runtime.network().clients(), e);
                    }
                    assertEquals(64, frame.length);
                    assertEquals(i, ByteBuffer.wrap(frame).getInt(), "frame order");
                    if (i % 10_000 == 0) {
                        Thread.sleep(50); // and stays slow now and then
                    }
                }
                sender.get(10, TimeUnit.SECONDS);
                done.set(true);
                monitor.get(10, TimeUnit.SECONDS);
                for (String id : new String[] {"a", "b", "h-a", "h-b"}) {
                    Map<String, Long> drops = fx.client(id).counters().drops();
                    assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), id + " drops " + drops);
                }
                assertTrue(maxQueued.get() <= queueBound, "queues stay bounded, max " + maxQueued.get());
            }
        }
    }
}
