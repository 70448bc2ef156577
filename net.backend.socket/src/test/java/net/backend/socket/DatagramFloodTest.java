package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.control.dto.CountersDTO;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A UDP flood into a hub with a fast and a stalled receiver: the fast one gets every frame the
 * netdev read, the stalled one's queue stops at QEMU's bound, and every frame the hub could not
 * queue for it is counted as a drop with its reason. Nothing inside Patchbay goes silently.
 */
@Timeout(60)
class DatagramFloodTest {

    private static final int DATAGRAMS = 20_000;
    private static final int BURST = 200;
    /** QEMU's queue bound for frames from senders without a callback (net/queue.c). */
    private static final int QUEUE_BOUND = 10_000;

    @Test
    void aFloodTowardsAStalledReceiverIsBoundedAndEveryDropCounted() throws Exception {
        try (Fixture fx = new Fixture(1);
                DatagramSocket remote = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                DatagramSocket flooder = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int local;
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                local = probe.getLocalPort();
            }
            fx.netdev("socket,id=u,udp=127.0.0.1:" + remote.getLocalPort() + ",localaddr=127.0.0.1:" + local);
            fx.netdev("inject,id=fast,tag=sink");
            fx.netdev("inject,id=slow,refuse=on");
            fx.hub("u", "fast", "slow");
            // In bursts the kernel's socket buffer holds even at its smallest (208 KiB), each sent at
            // full speed, so the stalled receiver's share outgrows its bound.
            byte[] payload = new byte[100];
            for (int burst = 0; burst < DATAGRAMS / BURST; burst++) {
                for (int i = 0; i < BURST; i++) {
                    payload[0] = (byte) i;
                    flooder.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), local));
                }
                awaitSettled(fx);
            }
            CountersDTO u = fx.client("u").counters();
            long read = u.txFrames() + sum(u.drops());
            // What the hub could not hand to the stalled netdev waits in its queue or is counted there.
            Map<String, Long> toSlow = fx.client("slow").counters().drops();
            int queued = fx.client("slow").counters().queued();
            System.out.printf("flood: %d sent, %d read by the netdev (%d lost in the kernel's socket buffer),"
                    + " %d queued for the stalled receiver, drops %s%n", DATAGRAMS, read, DATAGRAMS - read, queued, toSlow);
            assertTrue(read > QUEUE_BOUND, "the flood overran the bound: " + read);
            assertEquals(0, sum(u.drops()), "the netdev itself dropped nothing: " + u.drops());
            assertEquals(read, fx.client("fast").counters().rxFrames(), "the fast receiver got every frame read");
            assertTrue(queued <= QUEUE_BOUND, "the stalled receiver's queue is bounded: " + queued);
            assertEquals(read, queued + toSlow.getOrDefault("queue-full", 0L),
                    "every frame for the stalled one is queued or counted as queue-full: " + toSlow);
        }
    }

    /** Waits until the netdev has read what the kernel kept: its counters stand still. */
    private static void awaitSettled(Fixture fx) throws Exception {
        AtomicInteger stable = new AtomicInteger();
        long[] last = {-1};
        Await.until(() -> {
            long now = fx.client("u").counters().txFrames();
            stable.set(now == last[0] ? stable.get() + 1 : 0);
            last[0] = now;
            return stable.get() >= 3;
        }, Duration.ofSeconds(20), "the netdev to have read the burst");
    }

    private static long sum(Map<String, Long> drops) {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
