package net.itest;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Frames through two UDP socket netdevs: a sender that writes tagged frames, one datagram each, to
 * the first netdev's local port at a steady pace, and a receiver, the second netdev's remote,
 * that counts what arrives. Both on 127.0.0.1 at ephemeral ports; both threads bounded.
 */
final class UdpFlow implements AutoCloseable {

    /** Between two frames: about 2000 a second, well inside every queue's and socket buffer's bounds. */
    private static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final DatagramSocket sender;
    private final DatagramSocket receiver;
    private final Thread receiving;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean stop;
    private Thread sending;

    UdpFlow() throws IOException {
        sender = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        receiver = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        receiver.setReceiveBufferSize(1 << 22);
        receiver.setSoTimeout(100);
        receiving = new Thread(this::receive, "itest-udp-receiver");
        receiving.start();
    }

    /** @return the sender's port: the first netdev's {@code udp=} remote */
    int senderPort() {
        return sender.getLocalPort();
    }

    /** @return the receiver's port: the second netdev's {@code udp=} remote */
    int receiverPort() {
        return receiver.getLocalPort();
    }

    /**
     * Starts sending, in the background, until {@code frames} are sent, {@link #stopSending()} or
     * {@code duration} is over.
     *
     * @param port     the first netdev's local port
     * @param frames   how many at most
     * @param duration how long at most
     */
    void start(int port, long frames, Duration duration) {
        sending = new Thread(() -> {
            long end = System.nanoTime() + duration.toNanos();
            try {
                for (long i = 0; i < frames && !stop && System.nanoTime() - end < 0; i++) {
                    byte[] frame = Frames.tagged("metrics #" + i);
                    sender.send(new DatagramPacket(frame, frame.length, LOOPBACK, port));
                    sent.incrementAndGet();
                    LockSupport.parkNanos(PAUSE_NANOS);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "itest-udp-sender");
        sending.start();
    }

    /** Stops the sender and waits for it: {@link #sent()} is final then. */
    void stopSending() throws InterruptedException {
        stop = true;
        awaitSent();
    }

    /** Waits for the sender to finish. */
    void awaitSent() throws InterruptedException {
        sending.join(Await.TIMEOUT.toMillis() * 6);
        if (sending.isAlive()) {
            throw new AssertionError("sender still running");
        }
        if (failure.get() != null) {
            throw new AssertionError("sending failed", failure.get());
        }
    }

    /** @return whether the sender is still at it */
    boolean sending() {
        return sending != null && sending.isAlive();
    }

    /** @return the frames sent so far */
    long sent() {
        return sent.get();
    }

    /** @return the frames the receiver got so far */
    long received() {
        return received.get();
    }

    private void receive() {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        while (!receiver.isClosed()) {
            try {
                receiver.receive(packet);
                received.incrementAndGet();
            } catch (SocketTimeoutException e) {
                // look at isClosed again
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                failure.compareAndSet(null, e);
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        if (sending != null) {
            sending.join(Await.TIMEOUT.toMillis());
        }
        sender.close();
        receiver.close();
        receiving.join(Await.TIMEOUT.toMillis());
    }
}
