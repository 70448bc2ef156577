package net.filter;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;

/**
 * One {@code filter-buffer}: frames are copied into one growing store (length, direction, bytes)
 * and passed on together when the timer fires, then the store starts again at its beginning; no
 * allocation per frame once the store has grown to the traffic. Bounded as QEMU's queue: 10 000
 * frames, beyond that frames are dropped and counted.
 */
final class BufferFilter implements NetFilter {

    /** QEMU's bound of a queue whose senders have no callback. */
    static final int MAX_FRAMES = 10_000;
    /** The store grows to at most this many bytes (10 000 frames of 1 600 bytes). */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Counter: frames dropped because the store was full. */
    static final String DROPPED = "buffer-full";
    /** Counter: frames taken and held. */
    static final String HELD = "held";
    /** Counter: frames held and released. */
    static final String RELEASED = "released";

    private final NetFilterContext context;
    private final NetEventLoop loop;
    private final long interval;
    private final NetCounter dropped;
    private final NetCounter taken;
    private final NetCounter released;
    private final Runnable tick = this::tick;
    private ByteBuffer store = ByteBuffer.allocateDirect(64 * 1024);
    private ByteBuffer view = store.asReadOnlyBuffer();
    private int held;
    private NetEventLoop.Cancellable timer;

    BufferFilter(NetFilterContext context, long interval) {
        this.context = context;
        this.loop = context.loop();
        this.interval = interval;
        this.dropped = context.counter(DROPPED);
        this.taken = context.counter(HELD);
        this.released = context.counter(RELEASED);
        this.timer = loop.schedule(tick, interval, TimeUnit.MICROSECONDS);
    }

    @Override
    public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
        int need = frame.remaining() + 5;
        if (held >= MAX_FRAMES || store.remaining() < need && !grow(need)) {
            dropped.increment();
            return false; // QEMU's filter takes the frame either way
        }
        store.putInt(frame.remaining());
        store.put((byte) direction.ordinal());
        store.put(frame);
        held++;
        taken.increment();
        return false;
    }

    private boolean grow(int need) {
        int size = store.capacity();
        while (size - store.position() < need && size < MAX_BYTES) {
            size = Math.min(MAX_BYTES, size * 2);
        }
        if (size - store.position() < need) {
            return false;
        }
        ByteBuffer bigger = ByteBuffer.allocateDirect(size);
        bigger.put(store.flip());
        store = bigger;
        view = store.asReadOnlyBuffer();
        return true;
    }

    private void tick() {
        flush();
        timer = loop.schedule(tick, interval, TimeUnit.MICROSECONDS);
    }

    /** Passes on everything held, in order; frames that come back through this filter meanwhile wait for the next tick. */
    private void flush() {
        int end = store.position();
        int count = held;
        released.add(count); // before the frames leave, so "released unchanged" means none has
        int at = 0;
        NetFilterDirection[] directions = NetFilterDirection.values();
        while (at < end) {
            int length = store.getInt(at);
            NetFilterDirection direction = directions[store.get(at + 4)];
            view.limit(at + 5 + length).position(at + 5);
            context.passOn(view, direction);
            at += 5 + length;
        }
        held -= count;
        store.limit(store.position()).position(end);
        store.compact();
    }

    /** QEMU's: off stops the timer and lets everything held go; on starts the timer again. */
    @Override
    public void statusChanged(boolean on) {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (on) {
            timer = loop.schedule(tick, interval, TimeUnit.MICROSECONDS);
        } else {
            flush();
        }
    }

    @Override
    public String info() {
        return "interval=" + interval;
    }

    /** QEMU flushes what a deleted filter-buffer holds. */
    @Override
    public void close() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        flush();
    }
}
