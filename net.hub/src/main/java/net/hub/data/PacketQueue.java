package net.hub.data;

import java.nio.ByteBuffer;
import net.api.SentCallback;

/**
 * The incoming queue of one client, as QEMU's net queue: frames that could not be delivered yet,
 * in order, each with its sender and optional sent callback. Owned by the receiver's loop.
 */
final class PacketQueue {

    /** QEMU's NET_BUFSIZE: the largest frame (64 KiB + headers). */
    static final int MAX_FRAME = net.api.NetClient.MAX_FRAME;
    /** QEMU's bound for frames queued without a sent callback. */
    static final int LIMIT = 10_000;
    /** A hard bound even for senders with callbacks (they pause after their first queued frame). */
    static final int HARD_LIMIT = LIMIT + 1024;

    static final class Entry {
        NetClientState sender;
        FramePool.Copy copy;
        SentCallback onSent;

        /** @return the queued frame, read-only */
        ByteBuffer frame() {
            return copy.frame();
        }
    }

    /** No ring until the first frame is queued: most clients never queue one. */
    private static final Entry[] NONE = new Entry[0];

    private final FramePool pool;
    private Entry[] ring = NONE;
    private int head;
    private int size;
    boolean delivering;

    PacketQueue(FramePool pool) {
        this.pool = pool;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /**
     * Copies the frame in.
     *
     * @return false when the queue is at its bound for this kind of sender
     */
    boolean append(NetClientState sender, ByteBuffer frame, SentCallback onSent) {
        if (size >= (onSent == null ? LIMIT : HARD_LIMIT)) {
            return false;
        }
        if (size == ring.length) {
            grow();
        }
        int slot = (head + size) % ring.length;
        Entry e = ring[slot];
        if (e == null) {
            e = new Entry();
            ring[slot] = e;
        }
        e.sender = sender;
        e.copy = pool.copyOf(frame);
        e.onSent = onSent;
        size++;
        return true;
    }

    Entry peek() {
        return size == 0 ? null : ring[head];
    }

    /** Removes the head entry, returning its buffer to the pool. Read the entry before calling. */
    void removeHead() {
        Entry e = ring[head];
        pool.release(e.copy);
        e.copy = null;
        e.sender = null;
        e.onSent = null;
        head = (head + 1) % ring.length;
        size--;
    }

    /**
     * Drops queued frames, all of them or those of one sender.
     *
     * @param sender only this sender's frames, or null for all
     * @param notify whether to call their sent callbacks with 0 (the sender goes on living)
     * @return how many were dropped
     */
    int purge(NetClientState sender, boolean notify) {
        int kept = 0;
        int dropped = 0;
        int n = size;
        Entry[] survivors = ring;
        for (int i = 0; i < n; i++) {
            Entry e = ring[(head + i) % ring.length];
            if (sender == null || e.sender == sender) {
                SentCallback cb = e.onSent;
                NetClientState from = e.sender;
                pool.release(e.copy);
                e.copy = null;
                e.sender = null;
                e.onSent = null;
                dropped++;
                if (notify && cb != null) {
                    from.runSentCallback(cb, 0);
                }
            } else {
                // Compact survivors towards the head, keeping their order.
                int to = (head + kept) % ring.length;
                Entry tmp = survivors[to];
                survivors[to] = e;
                survivors[(head + i) % ring.length] = tmp;
                kept++;
            }
        }
        size = kept;
        return dropped;
    }

    /**
     * Takes a callback off the frames queued with it: they stay, as frames sent without one.
     *
     * @return how many frames had it
     */
    int forget(SentCallback onSent) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Entry e = ring[(head + i) % ring.length];
            if (e.onSent == onSent) {
                e.onSent = null;
                n++;
            }
        }
        return n;
    }

    private void grow() {
        Entry[] bigger = new Entry[Math.min(Math.max(16, ring.length * 2), HARD_LIMIT)];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }
}
