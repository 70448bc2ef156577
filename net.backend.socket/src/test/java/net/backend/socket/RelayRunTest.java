package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import net.api.NetClient;
import net.control.dto.CountersDTO;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two stream sockets on a two-port hub of one loop, where frames cross in runs rather than one by
 * one: bursts of mixed sizes (largest frames too) arrive whole, in order, and every client on the
 * way counts each frame as the frame-by-frame path would.
 */
@Timeout(60)
class RelayRunTest {

    private static final int FRAMES = 30_000;

    @Test
    void burstsCrossWholeInOrderAndCountedByEveryClient() throws Exception {
        try (Fixture fx = new Fixture(1)) {
            int portA = Fixture.freePort();
            int portB = Fixture.freePort();
            fx.netdev("socket,id=a,listen=127.0.0.1:" + portA);
            fx.netdev("socket,id=b,listen=127.0.0.1:" + portB);
            fx.hub("a", "b");
            try (Peer a = Peer.connect(portA); Peer b = Peer.connect(portB)) {
                fx.awaitConnectionFrom("a", a);
                fx.awaitConnectionFrom("b", b);
                Random random = new Random(22);
                List<byte[]> frames = new ArrayList<>();
                ByteArrayOutputStream wire = new ByteArrayOutputStream();
                DataOutputStream out = new DataOutputStream(wire);
                long bytes = 0;
                for (int n = 0; n < FRAMES; n++) {
                    int length = n % 500 == 0 ? NetClient.MAX_FRAME : random.nextInt(10) == 0 ? 1514 : 64;
                    byte[] f = Peer.frame(length, n);
                    frames.add(f);
                    out.writeInt(length);
                    out.write(f);
                    bytes += length;
                }
                // One write of several megabytes: the netdev reads it in large pieces, cut anywhere.
                CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                    try {
                        a.out.write(wire.toByteArray());
                        a.out.flush();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, r -> Thread.ofPlatform().daemon().start(r));
                for (int n = 0; n < FRAMES; n++) {
                    assertArrayEquals(frames.get(n), b.receive(), "frame " + n);
                }
                sender.join();
                long total = bytes;
                Await.until(() -> fx.client("b").counters().rxFrames() == FRAMES, "b counted every frame");
                assertCounts(fx.client("a").counters(), 0, 0, FRAMES, total, "a");
                assertCounts(fx.client("h-a").counters(), FRAMES, total, 0, 0, "h-a");
                assertCounts(fx.client("h-b").counters(), 0, 0, FRAMES, total, "h-b");
                assertCounts(fx.client("b").counters(), FRAMES, total, 0, 0, "b");
            }
        }
    }

    private static void assertCounts(CountersDTO c, long rxFrames, long rxBytes, long txFrames, long txBytes, String id) {
        assertEquals(List.of(rxFrames, rxBytes, txFrames, txBytes), List.of(c.rxFrames(), c.rxBytes(), c.txFrames(), c.txBytes()),
                id + ": rx frames, rx bytes, tx frames, tx bytes");
        assertEquals(0, c.queued(), id + ": nothing queued");
    }
}
