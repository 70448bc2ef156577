package net.backend.dump;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import net.api.FilterType;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDriver;
import org.osgi.service.component.annotations.Component;

/**
 * {@code -object filter-dump,id=ID,netdev=DEV,file=FILE[,maxlen=N]}: QEMU's packet recorder on a
 * netdev's filter chain, writing classic pcap.
 */
@Component(service = NetFilterDriver.class)
@FilterType(DumpFilterDriver.TYPE)
public final class DumpFilterDriver implements NetFilterDriver<DumpFilterOptions> {

    /** The QOM type. */
    public static final String TYPE = "filter-dump";
    /** Counts frames not recorded because the writer was behind. */
    static final String DROPPED = "capture-dropped";

    private final int ringSize;

    /** The OSGi component. */
    public DumpFilterDriver() {
        this(CaptureRing.DEFAULT_CAPACITY);
    }

    /** @param ringSize the per-capture ring, a power of two */
    public DumpFilterDriver(int ringSize) {
        this.ringSize = ringSize;
    }

    @Override
    public Class<DumpFilterOptions> optionsType() {
        return DumpFilterOptions.class;
    }

    @Override
    public NetFilter open(DumpFilterOptions options, NetFilterContext context) throws NetException {
        if (options.file() == null) { // the binder says so first; kept for an explicit JSON null
            throw NetException.generic("Parameter 'file' is missing");
        }
        long maxlen = options.maxlen() == null ? PcapFormat.DEFAULT_SNAPLEN : options.maxlen();
        if (maxlen == 0) {
            throw NetException.generic("Property '%s.maxlen' doesn't take value '0'", TYPE);
        }
        if (maxlen < 0 || maxlen > 0xffff_ffffL) {
            throw NetException.generic("Parameter 'maxlen' expects uint32_t");
        }
        Path path = Path.of(options.file());
        FileChannel channel = null;
        if (!CaptureFile.isFifo(path)) {
            // A regular file opens at once, on the loop, so a bad path fails object-add as in QEMU;
            // a FIFO would wait for its reader, so the capture's writer opens it instead.
            try {
                channel = CaptureFile.open(path);
            } catch (IOException e) {
                throw NetException.generic("net dump: can't open %s: %s", options.file(), CaptureFile.reason(e));
            }
        }
        String id = context.id();
        String netdev = context.netdev();
        Capture capture = new Capture(id, (int) maxlen, ringSize, context.logger(), context.counter(DROPPED),
                // The context belongs to the netdev's loop; the writer thread hands the event over.
                (file, reason) -> context.loop().execute(() -> context.event(CaptureEvents.STOPPED,
                        CaptureEvents.stopped(id, netdev, file, reason))),
                path, channel, false);
        capture.start();
        return new DumpFilter(capture, options.file(), maxlen);
    }
}
