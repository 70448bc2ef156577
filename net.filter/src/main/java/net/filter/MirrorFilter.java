package net.filter;

import java.nio.ByteBuffer;
import net.api.NetFilter;
import net.api.NetFilterDirection;

/** One {@code filter-mirror}: copies each frame to its outdev and passes it on. */
final class MirrorFilter implements NetFilter {

    private final FrameWriter writer;
    private final String outdev;
    private final boolean vnet;

    MirrorFilter(FrameWriter writer, String outdev, boolean vnet) {
        this.writer = writer;
        this.outdev = outdev;
        this.vnet = vnet;
    }

    @Override
    public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
        writer.send(frame);
        return true;
    }

    @Override
    public String info() {
        return "vnet_hdr_support=" + vnet + ",outdev=" + outdev; // QEMU's property order and words
    }

    @Override
    public void close() {
        writer.close();
    }
}
