package net.backend.dump;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.OptionalInt;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
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

    private final int ringSize;

    /** The OSGi component. */
    public DumpDriver() {
        this(CaptureRing.DEFAULT_CAPACITY);
    }

    /** @param ringSize the per-capture ring, a power of two */
    public DumpDriver(int ringSize) {
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
        // -net dump is on its hub already, so its default file is known now; -netdev dump joins later.
        OptionalInt hub = context.hubId();
        String file = options.file() != null ? options.file()
                : hub.isPresent() ? HubTarget.defaultFile(hub.getAsInt()) : null;
        Path path = null;
        FileChannel channel = null;
        if (file != null) {
            path = Path.of(file);
            if (!CaptureFile.isFifo(path)) { // a FIFO waits for its reader: the writer opens it
                try {
                    channel = CaptureFile.open(path);
                } catch (IOException e) {
                    throw NetException.generic("-net dump: can't open %s", file);
                }
            }
        }
        String id = context.id();
        Capture capture = new Capture(id, (int) len, ringSize, context.logger(),
                context.counter(DumpFilterDriver.DROPPED),
                // NetClientContext must be used on the loop; the writer thread hands the event over.
                (stoppedFile, reason) -> context.loop().execute(() -> context.event(CaptureEvents.STOPPED,
                        CaptureEvents.stopped(id, id, stoppedFile, reason))),
                path, channel, hub.isEmpty());
        capture.start();
        return new DumpClient(capture, len, hub.isEmpty() ? new HubTarget(context, capture, options.file()) : null);
    }
}
