package net.backend.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import net.api.NetClient;

/**
 * QEMU's stream framing on the way out: frames from the peer, each behind its 4-byte big-endian
 * length, gathered in one buffer so that many frames leave with one system call. The buffer holds
 * up to {@link #BATCH} bytes plus one largest frame, so a frame always fits while less than a
 * batch is held; what the socket does not take stays, in order, and goes out first next time.
 * One instance per backend, cleared for each connection; its buffer is allocated once.
 */
final class StreamEncoder {

    /** Bytes gathered before they are written without waiting for the end of the loop iteration. */
    static final int BATCH = 64 * 1024;

    // Held bytes are between 0 and position.
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(BATCH + 4 + NetClient.MAX_FRAME);

    /** Forgets what a previous connection left unwritten. */
    void clear() {
        bytes.clear();
    }

    /** @return whether nothing waits to be written */
    boolean isEmpty() {
        return bytes.position() == 0;
    }

    /** @return whether a whole batch is held, so it should be written now */
    boolean isFull() {
        return bytes.position() >= BATCH;
    }

    /**
     * Appends a frame with its length. Call only when not {@link #isFull()}.
     *
     * @param frame the frame between position and limit; left unchanged
     */
    void append(ByteBuffer frame) {
        int length = frame.remaining();
        bytes.putInt(length).put(bytes.position(), frame, frame.position(), length);
        bytes.position(bytes.position() + length);
    }

    /**
     * Appends the whole frames of a run (each already behind its length) that fit, up to a batch
     * and one largest frame, as {@link #append} would one by one. Call only when not
     * {@link #isFull()}.
     *
     * @param run frames behind their lengths between position and limit; left unchanged
     * @return the bytes appended, whole frames; the run is all appended or the encoder is full
     */
    int appendRun(ByteBuffer run) {
        int room = bytes.remaining();
        int start = run.position();
        int take = run.remaining();
        if (take > room) {
            take = 0;
            for (int next; take + 4 <= room && (next = take + 4 + run.getInt(start + take)) <= room; ) {
                take = next;
            }
        }
        bytes.put(bytes.position(), run, start, take);
        bytes.position(bytes.position() + take);
        return take;
    }

    /**
     * Writes as much as the channel takes.
     *
     * @param channel a non-blocking channel
     * @return true when everything held went out
     * @throws IOException when the write fails
     */
    boolean writeTo(WritableByteChannel channel) throws IOException {
        bytes.flip();
        try {
            channel.write(bytes);
        } finally {
            bytes.compact(); // a partial write keeps the rest, moved to the front
        }
        return bytes.position() == 0;
    }
}
