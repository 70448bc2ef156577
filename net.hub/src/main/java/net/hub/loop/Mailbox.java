package net.hub.loop;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded single-producer, single-consumer ring that carries frame copies from one loop to
 * another (a hub whose ports live on different loops). Slots keep their buffers, so after warm-up
 * nothing is allocated per frame.
 */
public final class Mailbox {

    /** Frames one loop can have in flight towards another. */
    static final int CAPACITY = 1024;
    private static final int MIN_SLOT_BYTES = 2048;

    /** The consumer side of a frame copy: called on the receiving loop. */
    @FunctionalInterface
    public interface Receiver {
        /** @param frame the copy, read-only, valid during the call */
        void receive(ByteBuffer frame);
    }

    private final EventLoop producer;
    private final EventLoop consumer;
    // Senders on the producer loop that wait for room; touched by the producer only.
    private final java.util.ArrayList<Runnable> waiters = new java.util.ArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean roomWanted = new java.util.concurrent.atomic.AtomicBoolean();
    private final Runnable wakeWaiters = this::wakeWaiters;
    private final Receiver[] receivers = new Receiver[CAPACITY];
    private final ByteBuffer[] buffers = new ByteBuffer[CAPACITY];
    /** Read-only views of {@link #buffers}, made with them: receivers get these. */
    private final ByteBuffer[] views = new ByteBuffer[CAPACITY];
    private final AtomicLong head = new AtomicLong(); // next slot to read, written by the consumer
    private final AtomicLong tail = new AtomicLong(); // next slot to write, written by the producer

    Mailbox(EventLoop producer, EventLoop consumer) {
        this.producer = producer;
        this.consumer = consumer;
    }

    /** @return whether another frame fits now (producer side) */
    public boolean hasRoom() {
        return tail.get() - head.get() < CAPACITY;
    }

    /**
     * Asks to be told when the ring has room again (producer side). The task runs on the producer
     * loop once the consumer has drained; call {@link #hasRoom()} again after asking, as the
     * consumer may have drained just before.
     *
     * @param task run on the producer loop when there is room
     */
    public void awaitRoom(Runnable task) {
        if (!waiters.contains(task)) {
            waiters.add(task);
        }
        roomWanted.set(true);
    }

    private void wakeWaiters() {
        Runnable[] ready = waiters.toArray(new Runnable[0]);
        waiters.clear();
        for (Runnable task : ready) {
            task.run();
        }
    }

    boolean isEmpty() {
        return head.get() == tail.get();
    }

    /**
     * Copies a frame into the ring (producer side) and wakes the consumer.
     *
     * @param receiver who gets it on the consumer loop
     * @param frame    the frame between position and limit; left unchanged
     * @return false when the ring is full
     */
    public boolean offer(Receiver receiver, ByteBuffer frame) {
        long t = tail.get();
        if (t - head.get() >= CAPACITY) {
            return false;
        }
        int slot = (int) (t % CAPACITY);
        int len = frame.remaining();
        ByteBuffer buffer = buffers[slot];
        if (buffer == null || buffer.capacity() < len) {
            buffer = ByteBuffer.allocateDirect(Math.max(len, MIN_SLOT_BYTES));
            buffers[slot] = buffer;
            views[slot] = buffer.asReadOnlyBuffer();
        }
        buffer.put(0, frame, frame.position(), len); // absolute: no duplicate per frame
        views[slot].clear().limit(len);
        receivers[slot] = receiver;
        tail.lazySet(t + 1);
        consumer.wakeup();
        return true;
    }

    /** @return whether any frame was taken */
    boolean drain() {
        long h = head.get();
        long t = tail.get();
        boolean any = h < t;
        while (h < t) {
            int slot = (int) (h % CAPACITY);
            Receiver receiver = receivers[slot];
            receivers[slot] = null;
            try {
                receiver.receive(views[slot]);
            } finally {
                head.lazySet(++h);
            }
        }
        if (roomWanted.getAndSet(false)) {
            producer.execute(wakeWaiters);
        }
        return any;
    }
}
