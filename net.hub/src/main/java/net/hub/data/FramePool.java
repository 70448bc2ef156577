package net.hub.data;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers for queued frame copies, in three size classes, owned by one client and used on
 * its loop (no locks). Buffers come back when a queued frame is delivered, so a steady flow
 * allocates nothing.
 */
final class FramePool {

    private static final int[] SIZES = {2048, 16384, PacketQueue.MAX_FRAME};
    private static final int[] RETAINED = {256, 32, 8};

    @SuppressWarnings("unchecked")
    private final ArrayDeque<ByteBuffer>[] free = new ArrayDeque[SIZES.length];

    FramePool() {
        for (int i = 0; i < SIZES.length; i++) {
            free[i] = new ArrayDeque<>();
        }
    }

    /**
     * @param frame the frame to copy, between position and limit (left unchanged)
     * @return a pooled buffer holding the copy, flipped for reading
     */
    ByteBuffer copyOf(ByteBuffer frame) {
        int len = frame.remaining();
        int cls = sizeClass(len);
        ByteBuffer buffer = free[cls].poll();
        if (buffer == null) {
            buffer = ByteBuffer.allocateDirect(SIZES[cls]);
        }
        buffer.clear();
        buffer.put(0, frame, frame.position(), len).limit(len); // absolute: no duplicate per frame
        return buffer;
    }

    void release(ByteBuffer buffer) {
        int cls = sizeClass(buffer.capacity());
        if (SIZES[cls] == buffer.capacity() && free[cls].size() < RETAINED[cls]) {
            free[cls].push(buffer);
        }
    }

    private static int sizeClass(int len) {
        for (int i = 0; i < SIZES.length - 1; i++) {
            if (len <= SIZES[i]) {
                return i;
            }
        }
        return SIZES.length - 1;
    }
}
