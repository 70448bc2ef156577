package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP fan-out through one hub: one sender, several receivers, one of them slow. Every receiver
 * gets every frame in order and no client drops one: a copy the slow receiver's netdev queues
 * holds the sender's netdev, which stops reading, so TCP's window paces the sender to the slowest
 * receiver (QEMU's hub would queue the copy without a callback and drop past 10 000).
 */
@Timeout(60)
class FanOutTest {

    private static final int FRAMES = 100_000;
    /** 50 MB in all: far more than the sockets' buffers hold, so a stalled reader backs up into the hub. */
    private static final int SIZE = 512;
    private static final int RECEIVERS = 3;
    private static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

    @Test
    void aSlowReaderOnOneOutputCostsNoFrameThereOrOnTheOthers() throws Exception {
        try (Fixture fx = new Fixture(1)) {
            List<String> ids = new ArrayList<>();
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i <= RECEIVERS; i++) {
                int port = Fixture.freePort();
                fx.netdev("socket,id=s" + i + ",listen=127.0.0.1:" + port);
                ids.add("s" + i);
                ports.add(port);
            }
            fx.hub(ids.toArray(String[]::new));
            List<Peer> peers = new ArrayList<>();
            try {
                for (int i = 0; i <= RECEIVERS; i++) {
                    Peer peer = Peer.connect(ports.get(i));
                    peers.add(peer);
                    fx.awaitConnectionFrom("s" + i, peer);
                }
                Peer sender = peers.get(0);
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    byte[] frame = new byte[SIZE];
                    try {
                        for (int i = 0; i < FRAMES; i++) {
                            ByteBuffer.wrap(frame).putInt(i);
                            sender.out.writeInt(frame.length);
                            sender.out.write(frame);
                        }
                        sender.out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, THREADS);
                List<CompletableFuture<Void>> receiving = new ArrayList<>();
                for (int r = 1; r <= RECEIVERS; r++) {
                    Peer peer = peers.get(r);
                    boolean slow = r == 1;
                    receiving.add(CompletableFuture.runAsync(() -> receiveAll(peer, slow), THREADS));
                }
                for (CompletableFuture<Void> f : receiving) {
                    f.get(50, TimeUnit.SECONDS);
                }
                sending.get(10, TimeUnit.SECONDS);
                for (String id : ids) {
                    for (String client : List.of(id, "h-" + id)) {
                        Map<String, Long> drops = fx.client(client).counters().drops();
                        assertEquals(0, drops.values().stream().mapToLong(Long::longValue).sum(), client + " drops " + drops);
                    }
                }
            } finally {
                for (Peer peer : peers) {
                    peer.close();
                }
            }
        }
    }

    /**
     * Reads every frame in order; a slow reader stops for 200 ms every 10 000 frames, from the
     * start: each time the sender goes on for longer than the sockets' buffers last, and never as
     * long as the hub waits for a peer before it gives up on it (1 s).
     */
    private static void receiveAll(Peer peer, boolean slow) {
        try {
            for (int i = 0; i < FRAMES; i++) {
                if (slow && i % 10_000 == 0) {
                    Thread.sleep(200);
                }
                byte[] frame = peer.receive();
                assertEquals(SIZE, frame.length);
                assertEquals(i, ByteBuffer.wrap(frame).getInt(), "frame order, or a frame lost");
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
