package net.backend.dump;

import java.nio.ByteBuffer;
import net.api.NetCounter;
import net.api.NetFilter;
import net.api.NetFilterDirection;

/** One {@code filter-dump} object: records every frame the chain shows it and passes it on. */
final class DumpFilter implements NetFilter {

    private final Capture capture;
    private final String file;
    private final long maxlen;
    private final NetCounter dropped;

    DumpFilter(Capture capture, String file, long maxlen, NetCounter dropped) {
        this.capture = capture;
        this.file = file;
        this.maxlen = maxlen;
        this.dropped = dropped;
    }

    @Override
    public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
        // The runtime only calls for the directions queue= selects; each direction once.
        capture.record(frame);
        return true;
    }

    @Override
    public String info() {
        // QEMU's property list, then what QEMU cannot report: frames lost to a slow writer, a stop.
        String reason = capture.stopReason();
        long lost = dropped.get();
        return "file=" + file + ",maxlen=" + maxlen + (lost == 0 ? "" : " (" + lost + " frames not recorded)")
                + (reason == null ? "" : " (stopped: " + reason + ")");
    }

    @Override
    public void close() {
        capture.close();
    }
}
