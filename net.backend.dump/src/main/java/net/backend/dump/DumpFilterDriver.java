package net.backend.dump;

import java.nio.file.Path;
import net.api.FilterType;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDriver;
import net.driverkit.OutputFiles;
import net.driverkit.QemuNumbers;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
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
    /** {@code format=}: classic pcap, QEMU's only format and the default. */
    static final String PCAP = "pcap";
    /** {@code format=}: pcapng; filters with the same file share it, one interface each. */
    static final String PCAPNG = "pcapng";
    /** Counts frames not recorded while a named pipe's reader had left and no new one came yet. */
    static final String NO_READER = "capture-no-reader";

    private final CaptureFactory captures;

    /**
     * The OSGi component.
     *
     * @param context its bundle's context, for the deploy directory no capture may be written to
     */
    @Activate
    public DumpFilterDriver(BundleContext context) {
        this(CaptureRing.DEFAULT_CAPACITY, OutputFiles.of(context::getProperty));
    }

    /** @param ringSize the per-capture ring, a power of two; captures go anywhere */
    public DumpFilterDriver(int ringSize) {
        this(ringSize, OutputFiles.ANYWHERE);
    }

    /**
     * @param ringSize the per-capture ring, a power of two
     * @param outputs  where captures may be written
     */
    public DumpFilterDriver(int ringSize, OutputFiles outputs) {
        this.captures = new CaptureFactory(ringSize, outputs);
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
        Long given = QemuNumbers.uint32("maxlen", options.maxlen());
        long maxlen = given == null ? PcapFormat.DEFAULT_SNAPLEN : given;
        if (maxlen == 0) {
            throw NetException.generic("Property '%s.maxlen' doesn't take value '0'", TYPE);
        }
        // Opened at once, on the loop and without blocking, so a bad path fails object-add as in QEMU.
        boolean pcapng = pcapng(options.format());
        Capture.Member capture = captures.start(CaptureFactory.Recorder.of(context), Path.of(options.file()), false,
                pcapng, (int) maxlen,
                reason -> NetException.generic("net dump: can't open %s: %s", options.file(), reason));
        return new DumpFilter(capture, options.file(), maxlen, pcapng);
    }

    /** @return whether {@code format} asks for pcapng; null and {@code pcap} are QEMU's pcap */
    static boolean pcapng(String format) throws NetException {
        if (format == null || format.equals(PCAP)) {
            return false;
        }
        if (format.equals(PCAPNG)) {
            return true;
        }
        throw NetException.generic("Parameter 'format' does not accept value '%s'", format);
    }
}
