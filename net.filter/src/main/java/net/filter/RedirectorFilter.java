package net.filter;

import java.nio.ByteBuffer;
import net.api.NetFilter;
import net.api.NetFilterDirection;

/** One {@code filter-redirector}: diverts the frames it sees to its outdev, passes on its indev's. */
final class RedirectorFilter implements NetFilter {

    private final FrameReader reader;
    private final FrameWriter writer;
    private final String info;

    RedirectorFilter(FrameReader reader, FrameWriter writer, String indev, String outdev, boolean vnet) {
        this.reader = reader;
        this.writer = writer;
        // QEMU's property order and words; an unset chardev prints empty
        this.info = "vnet_hdr_support=" + vnet + ",indev=" + (indev == null ? "" : indev) + ",outdev="
                + (outdev == null ? "" : outdev);
    }

    @Override
    public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
        if (writer == null) {
            return true; // QEMU: without an outdev the frame goes on
        }
        writer.send(frame);
        return false;
    }

    @Override
    public String info() {
        return info;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        if (writer != null) {
            writer.close();
        }
    }
}
