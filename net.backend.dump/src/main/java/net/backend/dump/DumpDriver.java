package net.backend.dump;

import java.nio.file.Path;
import java.util.OptionalInt;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.driverkit.OutputFiles;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code dump} netdev of QEMU up to 2.11 ({@code -net dump[,vlan=N][,file=F][,len=L]}): a hub
 * member writing every frame the hub forwards to it into a classic pcap file.
 */
@Component(service = NetClientDriver.class)
@NetType(DumpDriver.TYPE)
public final class DumpDriver implements NetClientDriver<DumpOptions> {

    /** The QAPI netdev type. */
    public static final String TYPE = "dump";

    private final CaptureFactory captures;
    private final OutputFiles outputs;

    /**
     * The OSGi component.
     *
     * @param context its bundle's context, for the deploy directory no capture may be written to
     */
    @Activate
    public DumpDriver(BundleContext context) {
        this(CaptureRing.DEFAULT_CAPACITY, OutputFiles.of(context::getProperty));
    }

    /** @param ringSize the per-capture ring, a power of two; captures go anywhere */
    public DumpDriver(int ringSize) {
        this(ringSize, OutputFiles.ANYWHERE);
    }

    /**
     * @param ringSize the per-capture ring, a power of two
     * @param outputs  where captures may be written
     */
    public DumpDriver(int ringSize, OutputFiles outputs) {
        this.captures = new CaptureFactory(ringSize, outputs);
        this.outputs = outputs;
    }

    @Override
    public Class<DumpOptions> optionsType() {
        return DumpOptions.class;
    }

    @Override
    public NetClient open(DumpOptions options, NetClientContext context) throws NetException {
        long len = options.len() == null ? PcapFormat.DEFAULT_SNAPLEN : options.len().bytes();
        if (len > Integer.MAX_VALUE) {
            throw NetException.generic("invalid length: %d", len);
        }
        // -net dump is on its hub already, so its default file is known now; -netdev dump joins later.
        OptionalInt hub = context.hubId();
        String file = options.file() != null ? options.file()
                : hub.isPresent() ? HubTarget.defaultFile(hub.getAsInt()) : null;
        Capture.Member capture = captures.start(CaptureFactory.Recorder.of(context),
                file == null ? null : Path.of(file), hub.isEmpty(), false, (int) len, reason -> NetException.generic("-net dump: can't open %s", file));
        return new DumpClient(capture, len, new HubTarget(context, capture.capture(), options.file(), hub.isPresent(), outputs));
    }
}
