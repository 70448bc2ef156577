package net.nic;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;
import net.api.NicType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -device sink,netdev=ID[,mac=MAC]}: takes every frame its filter passes and does nothing
 * with it; the runtime's receive counters are its count. An endpoint for benchmarks.
 */
@Component(service = NicModel.class)
@NicType(SinkModel.MODEL)
public final class SinkModel implements NicModel<SinkModel.Options> {

    static final String MODEL = "sink";

    /** @param mac the NIC's address; QEMU's next default when absent */
    public record Options(String mac) {
    }

    private final MacTable macs;

    @Activate
    public SinkModel(@Reference MacTable macs) {
        this.macs = macs;
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        MacAddress mac = options.mac() == null ? null : MacAddress.parse(MODEL, options.mac());
        return new NicClient(MODEL, mac, macs, context) {
            @Override
            protected Delivery deliver(ByteBuffer frame) {
                return Delivery.DELIVERED;
            }
        };
    }
}
