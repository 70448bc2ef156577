package net.nic;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.RxFilterInfo;
import net.api.RxFilterReporter;

/**
 * What every model of this bundle shares: an address from the {@link MacTable}, the receive filter
 * a real NIC applies before the model sees a frame, {@code query-rx-filter}, and QEMU's
 * {@code info network} line. Frames the filter turns away count as {@code rx-filtered}: a NIC
 * that is not addressed ignores a frame, it does not lose it.
 */
abstract class NicClient implements NetClient, RxFilterReporter {

    protected final NetClientContext context;
    protected final RxFilter filter;
    private final String model;
    private final MacTable macs;
    private final NetCounter filtered;

    /**
     * @param model   the model's name, as {@code -device} takes it
     * @param mac     the {@code mac} property, or null for the next default address
     * @param macs    the bundle's table of default addresses
     * @param context the runtime's side
     */
    protected NicClient(String model, MacAddress mac, MacTable macs, NetClientContext context) {
        this.model = model;
        this.macs = macs;
        this.context = context;
        this.filter = new RxFilter(macs.take(mac));
        this.filtered = context.counter("rx-filtered");
    }

    @Override
    public final Delivery receive(ByteBuffer frame) {
        if (!filter.accepts(frame)) {
            filtered.increment();
            return Delivery.DELIVERED;
        }
        return deliver(frame);
    }

    /**
     * A frame that passed the filter: the model's own behaviour. Same contract as
     * {@link NetClient#receive(ByteBuffer)}.
     *
     * @param frame at least an Ethernet header between position and limit
     * @return what became of the frame
     */
    protected abstract Delivery deliver(ByteBuffer frame);

    /** Raises {@code NIC_RX_FILTER_CHANGED} (the runtime holds it back until the next query) when a change did change. */
    protected final void filterChanged(boolean changed) {
        if (changed) {
            context.rxFilterChanged();
        }
    }

    @Override
    public RxFilterInfo rxFilter() {
        return filter.info(context.id());
    }

    @Override
    public String info() {
        return "model=" + model + ",macaddr=" + filter.mac();
    }

    /** Stops the model's own timers and state; the address goes back to the table afterwards. */
    protected void stop() {
    }

    @Override
    public final void close() {
        try {
            stop();
        } finally {
            macs.release(filter.mac());
        }
    }
}
