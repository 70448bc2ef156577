package net.backend.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import net.api.NetClient;

/**
 * Reassembles QEMU's stream framing (a 4-byte big-endian length, then that many frame bytes) from
 * a byte stream cut anywhere, the length bytes included. It reads as much as fits into one buffer
 * (64 KiB more than the largest frame) and hands out the frames it holds one by one without a
 * system call each, as QEMU does; what it holds while the backend's reading is paused is bounded
 * by that buffer. One instance per backend, reset for each connection; its buffer is allocated once.
 */
final class StreamFramer {

    /** What one {@link #read} call found. */
    enum Result {
        /** A whole frame is in {@link #frame()}. */
        FRAME,
        /** The channel has no more bytes now. */
        AGAIN,
        /** The stream ended between frames. */
        END,
        /** The stream ended inside a frame (or its length). */
        TRUNCATED,
        /** The length is 0 or larger than {@link NetClient#MAX_FRAME}; see {@link #badLength()}. */
        BAD_LENGTH
    }

    private static final int BATCH = 64 * 1024;

    // Unread bytes are between position and limit.
    private final ByteBuffer in = ByteBuffer.allocateDirect(4 + NetClient.MAX_FRAME + BATCH);
    private final ByteBuffer frame = in.duplicate(); // the view handed out, made once
    private final ByteBuffer run = in.asReadOnlyBuffer(); // the run handed out, made once
    private long badLength;
    /**
     * The last read took less than it had room for, so the socket had no more then: the next read
     * would most likely find nothing, a system call per wake-up for nothing. The selector is
     * level-triggered and reports the socket again if more came meanwhile.
     */
    private boolean drained;

    StreamFramer() {
        reset();
    }

    /** Forgets a half-received frame: a new connection starts at a length. */
    void reset() {
        in.clear().flip();
        drained = false;
    }

    /** @return whether a whole frame is held already, so {@link #read} needs no system call */
    boolean holdsFrame() {
        return in.remaining() >= 4 && in.remaining() >= 4 + (in.getInt(in.position()) & 0xffffffffL);
    }

    /**
     * Returns the next frame held, reading from the channel only when none is.
     *
     * @param channel a non-blocking channel
     * @return what was found
     * @throws IOException when reading fails
     */
    Result read(ReadableByteChannel channel) throws IOException {
        while (true) {
            if (in.remaining() >= 4) {
                long size = in.getInt(in.position()) & 0xffffffffL;
                if (size == 0 || size > NetClient.MAX_FRAME) {
                    badLength = size;
                    return Result.BAD_LENGTH;
                }
                if (in.remaining() >= 4 + size) {
                    int start = in.position() + 4;
                    frame.limit(start + (int) size).position(start);
                    in.position(start + (int) size);
                    return Result.FRAME;
                }
            }
            if (drained) {
                drained = false;
                return Result.AGAIN;
            }
            in.compact();
            int room = in.remaining();
            int n = channel.read(in);
            in.flip();
            drained = n > 0 && n < room; // an empty read is no short one: the next event is new
            if (n < 0) {
                return in.hasRemaining() ? Result.TRUNCATED : Result.END;
            }
            if (n == 0) {
                return Result.AGAIN;
            }
        }
    }

    /**
     * The whole frames held, for a peer that takes them in one go; a bad length ends the run, so
     * {@link #read} reports it when it gets there.
     *
     * @return a read-only view of the frames held (behind their lengths), maybe empty; valid until
     *         the next {@link #read} or {@link #skip}
     */
    ByteBuffer run() {
        int at = in.position();
        int end = in.limit();
        while (end - at >= 4) {
            long size = in.getInt(at) & 0xffffffffL;
            if (size == 0 || size > NetClient.MAX_FRAME || end - at - 4 < size) {
                break;
            }
            at += 4 + (int) size;
        }
        return run.limit(at).position(in.position());
    }

    /** @param bytes what a peer took from the start of {@link #run()}: whole frames */
    void skip(int bytes) {
        in.position(in.position() + bytes);
    }

    /** @return the frame after {@link Result#FRAME}, valid until the next {@link #read} */
    ByteBuffer frame() {
        return frame;
    }

    /** @return the length that made {@link #read} return {@link Result#BAD_LENGTH} */
    long badLength() {
        return badLength;
    }

    /** @return a description of the half-received frame, for the log after {@link Result#TRUNCATED} */
    String partial() {
        return in.remaining() < 4 ? in.remaining() + " of 4 length bytes"
                : (in.remaining() - 4) + " of " + (in.getInt(in.position()) & 0xffffffffL) + " frame bytes";
    }
}
