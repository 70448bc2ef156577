package net.backend.dump;

import java.nio.ByteBuffer;
import net.api.NetFilter;
import net.api.NetFilterDirection;

/** One {@code filter-dump} object: records every frame the chain shows it and passes it on. */
final class DumpFilter implements NetFilter {

    private final Capture.Member capture;
    private final String file;
    private final long maxlen;
    private final boolean pcapng;

    DumpFilter(Capture.Member capture, String file, long maxlen, boolean pcapng) {
        this.capture = capture;
        this.file = file;
        this.maxlen = maxlen;
        this.pcapng = pcapng;
    }

    @Override
    public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
        // The runtime only calls for the directions queue= selects; each direction once.
        capture.record(frame);
        return true;
    }

    @Override
    public String info() {
        // QEMU's property list, then what QEMU cannot report: a stop, a pipe without its reader
        // (frames lost meanwhile are the filter's counters).
        return "file=" + file + ",maxlen=" + maxlen + (pcapng ? ",format=pcapng" : "") + capture.capture().state();
    }

    /** Stops recording; the loop does not wait for the file. */
    @Override
    public void close() {
        capture.close();
    }

    /** {@code object-del} returns with everything recorded on disk. */
    @Override
    public void release() {
        capture.awaitClosed();
    }
}
