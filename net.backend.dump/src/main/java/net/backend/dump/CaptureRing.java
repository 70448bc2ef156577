package net.backend.dump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded single-producer single-consumer ring of bytes holding finished pcap records. The
 * event loop appends records (header and truncated frame) without allocating or blocking; the
 * capture's writer moves the bytes to the file as they are, because the ring holds exactly the
 * file's byte stream.
 */
final class CaptureRing {

    /** Default size: about 2 700 full-size Ethernet frames, enough to ride out a slow disk. */
    static final int DEFAULT_CAPACITY = 4 << 20;

    private final ByteBuffer bytes;
    private final int capacity;
    private final int mask;
    /** Where the writer has consumed up to; written by the writer only. */
    private final AtomicLong head = new AtomicLong();
    /** Where the loop has published up to; written by the loop only. */
    private final AtomicLong tail = new AtomicLong();
    // The writer's two views of the wrapped region, allocated once.
    private final ByteBuffer first;
    private final ByteBuffer second;
    private final ByteBuffer[] pair;

    /**
     * @param capacity a power of two, at least one largest record
     */
    CaptureRing(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.bytes = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.first = bytes.duplicate();
        this.second = bytes.duplicate();
        this.pair = new ByteBuffer[] {first, second};
    }

    /**
     * Appends one record. Loop thread only.
     *
     * @param seconds  timestamp, seconds since the epoch
     * @param micros   timestamp, microseconds within the second
     * @param frame    the frame between position and limit; left unchanged
     * @param snaplen  the most bytes stored
     * @return false when the ring has no room (the frame is not recorded)
     */
    boolean offer(long seconds, int micros, ByteBuffer frame, int snaplen) {
        int original = frame.remaining();
        int stored = Math.min(original, snaplen);
        int need = PcapFormat.RECORD_HEADER + stored;
        long t = tail.get();
        if (need > capacity - (t - head.get())) {
            return false;
        }
        putInt(t, (int) seconds);
        putInt(t + 4, micros);
        putInt(t + 8, stored);
        putInt(t + 12, original);
        putBytes(t + PcapFormat.RECORD_HEADER, frame, frame.position(), stored);
        // A volatile store, so the writer that checks for work after announcing it will sleep
        // cannot miss this record (the loop reads that announcement right after).
        tail.set(t + need);
        return true;
    }

    /**
     * Appends one pcapng enhanced packet block. Loop thread only.
     *
     * @param interfaceId the block's interface, as its description's place in the section
     * @param micros      timestamp, microseconds since the epoch
     * @param frame       the frame between position and limit; left unchanged
     * @param snaplen     the most bytes stored
     * @return false when the ring has no room (the frame is not recorded)
     */
    boolean offerBlock(int interfaceId, long micros, ByteBuffer frame, int snaplen) {
        int original = frame.remaining();
        int stored = Math.min(original, snaplen);
        int padded = PcapngFormat.padded(stored);
        int need = PcapngFormat.PACKET_OVERHEAD + padded;
        long t = tail.get();
        if (need > capacity - (t - head.get())) {
            return false;
        }
        putInt(t, PcapngFormat.ENHANCED_PACKET);
        putInt(t + 4, need);
        putInt(t + 8, interfaceId);
        putInt(t + 12, (int) (micros >>> 32));
        putInt(t + 16, (int) micros);
        putInt(t + 20, stored);
        putInt(t + 24, original);
        putBytes(t + 28, frame, frame.position(), stored);
        for (int i = stored; i < padded; i++) {
            bytes.put((int) ((t + 28 + i) & mask), (byte) 0); // the ring holds old bytes there
        }
        putInt(t + 28 + padded, need);
        tail.set(t + need); // published last, as in offer()
        return true;
    }

    /** @return bytes published and not yet written */
    long pending() {
        return tail.get() - head.get();
    }

    /**
     * Writes everything published so far. Writer thread only; may block on the channel.
     *
     * @param out the file or FIFO
     * @return the number of bytes written
     * @throws IOException when the channel fails; what was written before stays consumed
     */
    long drainTo(GatheringByteChannel out) throws IOException {
        long h = head.get();
        long t = tail.get();
        long total = 0;
        while (h < t) {
            int start = (int) (h & mask);
            int length = (int) (t - h);
            int firstPart = Math.min(length, capacity - start);
            first.limit(start + firstPart).position(start);
            second.limit(length - firstPart).position(0);
            long n = out.write(pair);
            h += n;
            total += n;
            head.set(h); // hand the room back at once, the loop may be waiting for it
        }
        return total;
    }

    /**
     * Forgets everything published so far, e.g. what a reader that left did not take. Writer
     * thread only; the loop publishes whole records, so the next record starts a clean stream.
     */
    void discard() {
        head.set(tail.get());
    }

    private void putInt(long at, int value) {
        int i = (int) (at & mask);
        if (i + 4 <= capacity) {
            bytes.putInt(i, value);
            return;
        }
        for (int k = 0; k < 4; k++) { // the int straddles the end: little-endian byte by byte
            bytes.put((int) ((at + k) & mask), (byte) (value >>> (8 * k)));
        }
    }

    private void putBytes(long at, ByteBuffer src, int offset, int length) {
        int i = (int) (at & mask);
        int firstPart = Math.min(length, capacity - i);
        bytes.put(i, src, offset, firstPart);
        if (firstPart < length) {
            bytes.put(0, src, offset + firstPart, length - firstPart);
        }
    }
}
