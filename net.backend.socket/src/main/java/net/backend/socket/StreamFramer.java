package net.backend.socket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import net.api.NetClient;

/**
 * Reassembles QEMU's stream framing (a 4-byte big-endian length, then that many frame bytes) from
 * a byte stream cut anywhere, the length bytes included. It reads at most up to the end of the
 * current frame, so nothing of the next frame waits in a buffer while the backend's reading is
 * paused for flow control. One instance per backend, reset for each connection; its direct buffer
 * is allocated once.
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

    private final ByteBuffer length = ByteBuffer.allocate(4);
    private final ByteBuffer frame = ByteBuffer.allocateDirect(NetClient.MAX_FRAME);
    private boolean inLength = true;
    private long badLength;

    /** Forgets a half-received frame: a new connection starts at a length. */
    void reset() {
        length.clear();
        frame.clear();
        inLength = true;
    }

    /**
     * Reads until a frame is complete or the channel has nothing more.
     *
     * @param channel a non-blocking channel
     * @return what was found
     * @throws IOException when reading fails
     */
    Result read(ReadableByteChannel channel) throws IOException {
        if (inLength) {
            int n = channel.read(length);
            if (n < 0) {
                return length.position() == 0 ? Result.END : Result.TRUNCATED;
            }
            if (length.hasRemaining()) {
                return Result.AGAIN;
            }
            long size = length.getInt(0) & 0xffffffffL;
            if (size == 0 || size > NetClient.MAX_FRAME) {
                badLength = size;
                return Result.BAD_LENGTH;
            }
            frame.clear().limit((int) size);
            inLength = false;
        }
        if (channel.read(frame) < 0) {
            return Result.TRUNCATED;
        }
        if (frame.hasRemaining()) {
            return Result.AGAIN;
        }
        frame.flip();
        length.clear();
        inLength = true;
        return Result.FRAME;
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
        return inLength ? length.position() + " of 4 length bytes"
                : frame.position() + " of " + frame.limit() + " frame bytes";
    }
}
