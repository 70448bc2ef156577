package net.itest;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.SendResult;

/**
 * One open {@code memwire} netdev: frames delivered to it are kept (copied) in a bounded queue the
 * test reads, and the test injects frames that the netdev sends to its peer from its event loop.
 */
public final class MemWire implements NetClient {

    /** Enough for every test here; more frames are dropped (and counted) rather than kept. */
    static final int CAPACITY = 10_000;

    private final NetClientContext context;
    private final Map<String, MemWire> open;
    private final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>(CAPACITY);
    private final long releaseMillis;
    private final CountDownLatch releasing = new CountDownLatch(1);

    /**
     * @param context       the runtime side
     * @param open          the driver's open wires, which this one leaves when it closes
     * @param releaseMillis how long {@link #release()} blocks
     */
    MemWire(NetClientContext context, Map<String, MemWire> open, long releaseMillis) {
        this.context = context;
        this.open = open;
        this.releaseMillis = releaseMillis;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        byte[] copy = new byte[frame.remaining()];
        frame.get(copy);
        if (received.offer(copy)) {
            return Delivery.DELIVERED;
        }
        context.dropCounter("memwire-full").increment();
        return Delivery.DROPPED;
    }

    @Override
    public String info() {
        return "memwire: " + received.size() + " frames held";
    }

    @Override
    public void close() {
        open.remove(context.id(), this);
    }

    /** Blocks for the configured time, as a down-script that takes its time would. */
    @Override
    public void release() {
        releasing.countDown();
        if (releaseMillis > 0) {
            try {
                Thread.sleep(releaseMillis); // the point: a release that takes this long
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * @param timeout how long to wait
     * @return whether {@link #release()} has started
     * @throws InterruptedException when interrupted
     */
    public boolean awaitRelease(Duration timeout) throws InterruptedException {
        return releasing.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Sends a frame to the peer as a backend would: on the netdev's event loop.
     *
     * @param frame the frame
     * @return what the runtime did with it
     */
    public CompletableFuture<SendResult> inject(byte[] frame) {
        CompletableFuture<SendResult> result = new CompletableFuture<>();
        context.loop().execute(() -> {
            try {
                result.complete(context.send(ByteBuffer.wrap(frame)));
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /**
     * @param timeout how long to wait
     * @return the oldest frame received and not yet taken, or null when none came in time
     * @throws InterruptedException when interrupted
     */
    public byte[] poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return how many received frames have not been taken */
    public int pending() {
        return received.size();
    }

    /** Forgets every received frame. */
    public void clear() {
        received.clear();
    }
}
