package net.backend.dump;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.api.control.NetControl;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code dump} netdev of QEMU up to 2.11 ({@code -net dump[,vlan=N][,file=F][,len=L]}): a hub
 * member writing every frame the hub forwards to it into a classic pcap file.
 */
@Component(service = NetClientDriver.class)
@NetType(DumpDriver.TYPE)
public final class DumpDriver implements NetClientDriver<DumpOptions> {

    /** The QAPI netdev type. */
    public static final String TYPE = "dump";

    private final NetControl control;
    private final int ringSize;

    /**
     * @param control the runtime's control service, asked which hub the dump sits on
     */
    @Activate
    public DumpDriver(@Reference NetControl control) {
        this(control, CaptureRing.DEFAULT_CAPACITY);
    }

    /**
     * @param control  the runtime's control service
     * @param ringSize the per-capture ring, a power of two
     */
    public DumpDriver(NetControl control, int ringSize) {
        this.control = control;
        this.ringSize = ringSize;
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
        Path path = null;
        FileChannel channel = null;
        if (options.file() != null) {
            path = Path.of(options.file());
            if (!CaptureFile.isFifo(path)) {
                try {
                    channel = CaptureFile.open(path);
                } catch (IOException e) {
                    throw NetException.generic("-net dump: can't open %s", options.file());
                }
            }
        }
        String id = context.id();
        Capture[] self = new Capture[1];
        Capture capture = new Capture(id, (int) len, ringSize, context.logger(),
                context.counter(DumpFilterDriver.DROPPED),
                // NetClientContext must be used on the loop; the writer thread hands the event over.
                reason -> context.loop().execute(() -> context.event(CaptureEvents.STOPPED,
                        CaptureEvents.stopped(id, id, self[0].path(), reason))),
                path, channel, new HubTarget(control, id, options.file()));
        self[0] = capture;
        capture.start();
        return new DumpClient(capture, len);
    }
}
