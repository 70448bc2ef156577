package net.bench;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A channel that serves the same bytes over and over, at most {@code chunk} bytes per read, like a
 * socket that always has data: the framer's cost without the kernel's.
 */
public final class PreloadedChannel implements ReadableByteChannel {

    private final ByteBuffer bytes;
    private final int chunk;

    /**
     * @param bytes the stream, served from position 0 to its limit, then again from 0
     * @param chunk the most bytes one read returns
     */
    public PreloadedChannel(ByteBuffer bytes, int chunk) {
        this.bytes = bytes;
        this.chunk = chunk;
    }

    @Override
    public int read(ByteBuffer dst) {
        if (!bytes.hasRemaining()) {
            bytes.rewind();
        }
        int n = Math.min(Math.min(dst.remaining(), chunk), bytes.remaining());
        dst.put(dst.position(), bytes, bytes.position(), n);
        dst.position(dst.position() + n);
        bytes.position(bytes.position() + n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // nothing to release
    }
}
