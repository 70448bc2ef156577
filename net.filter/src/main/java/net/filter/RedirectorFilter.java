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
        this.info = (indev == null ? "" : "indev=" + indev) + (indev != null && outdev != null ? "," : "")
                + (outdev == null ? "" : "outdev=" + outdev) + (vnet ? ",vnet_hdr_support=on" : "");
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
