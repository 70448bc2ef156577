package net.itest;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Traffic while a driver goes away: a thread that, for a bounded time and count, sends datagrams at
 * a udpwire netdev and injects frames at a memwire netdev, remembering the first exception.
 */
final class Blaster implements AutoCloseable {

    /** Between two rounds; about 2000 rounds a second, well inside every queue's bounds. */
    private static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile int rounds;

    /**
     * Starts blasting.
     *
     * @param peer      sends the datagrams
     * @param udpPort   the udpwire netdev's local port
     * @param memwire   where frames are injected
     * @param duration  how long at most
     * @param maxRounds how many rounds at most
     */
    Blaster(UdpPeer peer, int udpPort, MemWire memwire, Duration duration, int maxRounds) {
        thread = new Thread(() -> {
            long end = System.nanoTime() + duration.toNanos();
            try {
                for (int i = 0; i < maxRounds && System.nanoTime() - end < 0 && !Thread.currentThread().isInterrupted(); i++) {
                    peer.send(udpPort, Frames.tagged("blast udp #" + i));
                    memwire.inject(Frames.tagged("blast mem #" + i)).get(Await.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    rounds = i + 1;
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "itest-blaster");
        thread.start();
    }

    /** @return how many rounds completed */
    int rounds() {
        return rounds;
    }

    /** @return the first exception the thread saw, or null */
    Throwable failure() {
        return failure.get();
    }

    /**
     * Waits for the thread to finish.
     *
     * @param timeout how long at most
     * @throws AssertionError when it is still running then
     */
    void join(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new AssertionError("blaster still running after " + timeout);
        }
    }

    /** Stops the thread if a failed test left it running. */
    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(Await.TIMEOUT.toMillis());
    }
}
