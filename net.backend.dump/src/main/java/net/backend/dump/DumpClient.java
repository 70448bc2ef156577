package net.backend.dump;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.api.Delivery;
import net.api.NetClient;

/** One {@code dump} netdev: a hub member that records every frame the hub gives it and sends none. */
final class DumpClient implements NetClient {

    private final Capture.Member capture;
    private final long len;
    /** Decides the file when the dump is given its peer. */
    private final HubTarget hub;

    DumpClient(Capture.Member capture, long len, HubTarget hub) {
        this.capture = capture;
        this.len = len;
        this.hub = hub;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        capture.record(frame);
        return Delivery.DELIVERED; // a sink: the frame is consumed even when it was not recorded
    }

    @Override
    public void peerChanged() {
        hub.peerChanged();
    }

    @Override
    public String info() {
        Path path = capture.capture().path();
        Object file = path == null ? "(file named when it joins a hub)" : path;
        return "dump to " + file + " (len=" + len + ")" + capture.capture().state();
    }

    /** Stops recording; the loop does not wait for the file. */
    @Override
    public void close() {
        capture.close();
    }

    /** {@code netdev_del} returns with everything recorded on disk. */
    @Override
    public void release() {
        capture.awaitClosed();
    }
}
