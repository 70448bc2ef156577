package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.inject.Inject;
import net.api.SendResult;
import net.control.NetControl;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A driver bundle stopped and started fifty times while frames flow between two other netdevs on
 * its hub: not one of those frames is lost or reordered, the swapped netdev carries a frame after
 * every start, and nothing is logged as an error.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class HotSwapUnderTrafficTest {

    private static final int SWAPS = 50;

    /** Between injected frames: enough traffic to cross every swap, little enough for a busy CI. */
    private static final long FEED_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    @Inject
    private BundleContext context;

    @Inject
    private NetControl control;

    @Configuration
    public Option[] config() {
        return Provisioning.patchbay();
    }

    @Test
    public void fiftySwapsLoseNoFrameBetweenTheOtherNetdevs() throws Exception {
        try (ErrorRecorder recorder = new ErrorRecorder(context); UdpPeer peer = new UdpPeer()) {
            MemWireDriver memwire = MemWireDriver.register(context);
            HubTopology net = new HubTopology(control, memwire, peer);
            net.addMemWires();
            Bundle udpwire = Provisioning.startUdpwire(context, control);
            net.addUdpWire();

            AtomicBoolean feeding = new AtomicBoolean(true);
            AtomicLong fed = new AtomicLong();
            AtomicLong received = new AtomicLong();
            AtomicReference<String> failure = new AtomicReference<>();
            Set<String> swapFrames = ConcurrentHashMap.newKeySet();
            MemWire m1 = memwire.wire("m1");
            MemWire m2 = memwire.wire("m2");
            Thread feeder = Thread.ofPlatform().name("itest-feeder").start(() -> {
                try {
                    while (feeding.get()) {
                        SendResult result = m1.inject(Frames.tagged("feed #" + fed.get()))
                                .get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        if (result == SendResult.DROPPED) {
                            failure.compareAndSet(null, "m1's send #" + fed.get() + ": " + result);
                            return;
                        }
                        fed.incrementAndGet();
                        LockSupport.parkNanos(FEED_PAUSE_NANOS);
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, "feeder: " + e);
                }
            });
            Thread reader = Thread.ofPlatform().name("itest-reader").start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        byte[] frame = m2.poll(Duration.ofMillis(100));
                        if (frame == null) {
                            continue;
                        }
                        String tag = new String(frame, 14, frame.length - 14, StandardCharsets.US_ASCII).replace("\0", "");
                        if (tag.startsWith("swap ")) {
                            swapFrames.add(tag);
                        } else if (!tag.equals("feed #" + received.getAndIncrement())) {
                            failure.compareAndSet(null, "m2 expected feed #" + (received.get() - 1) + ", got " + tag);
                        }
                    }
                } catch (InterruptedException e) {
                    // told to stop
                }
            });
            try {
                for (int i = 0; i < SWAPS && failure.get() == null; i++) {
                    long fedBefore = fed.get();
                    udpwire.stop();
                    Await.await("u1 to be pending", () -> control.client("u1").state().equals("pending"));
                    udpwire.start();
                    Await.await("u1 to be active again", () -> control.client("u1").state().equals("active"));
                    String tag = "swap #" + i;
                    peer.send(net.localPort("u1"), Frames.tagged(tag));
                    Await.await("m2 to receive '" + tag + "' through the restarted u1", () -> swapFrames.contains(tag));
                    Await.await("frames to flow across swap " + i, () -> fed.get() > fedBefore);
                }
            } finally {
                feeding.set(false);
                feeder.join(Await.TIMEOUT.toMillis());
            }
            Await.await("m2 to receive every frame m1 sent", () -> received.get() >= fed.get() || failure.get() != null);
            reader.interrupt();
            reader.join(Await.TIMEOUT.toMillis());
            assertNull(failure.get());
            assertEquals("frames m2 received of those m1 sent", fed.get(), received.get());
            assertEquals(SWAPS, swapFrames.size());
            assertTrue("traffic flowed: " + fed.get() + " frames", fed.get() >= SWAPS);
            assertEquals(List.of(), recorder.errors());
            System.out.printf("hot swap: %d swaps, %d frames m1 -> m2 across them, 0 lost%n", SWAPS, fed.get());
        }
    }
}
