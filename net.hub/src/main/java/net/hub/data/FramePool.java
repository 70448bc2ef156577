package net.hub.data;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Direct buffers for queued frame copies, in three size classes, owned by one client and used on
 * its loop (no locks). Buffers come back when a queued frame is delivered, so a steady flow
 * allocates nothing. A class's free list is made when its first buffer comes back: most clients
 * never queue a frame, and 10 000 idle netdevs should not carry 30 000 empty lists.
 */
final class FramePool {

    /** A pooled buffer and the read-only view receivers get of it, made once with the buffer. */
    static final class Copy {
        final ByteBuffer buffer;
        final ByteBuffer view;

        private Copy(ByteBuffer buffer) {
            this.buffer = buffer;
            this.view = buffer.asReadOnlyBuffer();
        }

        /** @return the copied frame, read-only, between position and limit */
        ByteBuffer frame() {
            return view;
        }
    }

    private static final int[] SIZES = {2048, 16384, PacketQueue.MAX_FRAME};
    private static final int[] RETAINED = {256, 32, 8};

    @SuppressWarnings("unchecked")
    private final ArrayDeque<Copy>[] free = new ArrayDeque[SIZES.length];

    /**
     * @param frame the frame to copy, between position and limit (left unchanged)
     * @return a pooled copy; its {@link Copy#frame() frame} is ready for reading
     */
    Copy copyOf(ByteBuffer frame) {
        int len = frame.remaining();
        int cls = sizeClass(len);
        ArrayDeque<Copy> list = free[cls];
        Copy copy = list == null ? null : list.poll();
        if (copy == null) {
            copy = new Copy(ByteBuffer.allocateDirect(SIZES[cls]));
        }
        copy.buffer.put(0, frame, frame.position(), len); // absolute: no duplicate per frame
        copy.view.clear().limit(len);
        return copy;
    }

    void release(Copy copy) {
        int cls = sizeClass(copy.buffer.capacity());
        if (SIZES[cls] != copy.buffer.capacity()) {
            return;
        }
        ArrayDeque<Copy> list = free[cls];
        if (list == null) {
            list = new ArrayDeque<>();
            free[cls] = list;
        }
        if (list.size() < RETAINED[cls]) {
            list.push(copy);
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
