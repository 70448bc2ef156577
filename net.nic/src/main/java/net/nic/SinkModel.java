package net.nic;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
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
public final class SinkModel extends AddressOnlyModel {

    static final String MODEL = "sink";

    @Activate
    public SinkModel(@Reference MacTable macs) {
        super(MODEL, macs);
    }

    @Override
    NetClient open(MacAddress mac, MacTable macs, NetClientContext context) {
        return new NicClient(MODEL, mac, macs, context) {
            @Override
            protected Delivery deliver(ByteBuffer frame) {
                return Delivery.DELIVERED;
            }
        };
    }
}
