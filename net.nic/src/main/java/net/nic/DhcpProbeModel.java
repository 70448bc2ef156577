package net.nic;

import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;
import net.api.NicType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -device dhcp-probe,netdev=ID[,interval=SECONDS][,mac=MAC]}: a PXE-booting machine's first
 * step, without the machine: a DHCPDISCOVER every {@code interval} seconds (3 by default), and a
 * count of the offers that answer it. See {@link DhcpProbe}.
 */
@Component(service = NicModel.class)
@NicType(DhcpProbeModel.MODEL)
public final class DhcpProbeModel implements NicModel<DhcpProbeModel.Options> {

    static final String MODEL = "dhcp-probe";
    static final long DEFAULT_INTERVAL = 3;

    /**
     * @param mac      the NIC's address; QEMU's next default when absent
     * @param interval seconds between DHCPDISCOVERs, at least 1; 3 when absent (the runtime reads
     *                 it as QEMU reads a device's integer property)
     */
    public record Options(String mac, Integer interval) {
    }

    private final MacTable macs;

    @Activate
    public DhcpProbeModel(@Reference MacTable macs) {
        this.macs = macs;
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        long interval = options.interval() == null ? DEFAULT_INTERVAL : options.interval();
        if (interval <= 0) { // no probing at all is no probe
            throw NetException.generic("Property '%s.interval' doesn't take value '%d'", MODEL, interval);
        }
        MacAddress mac = options.mac() == null ? null : MacAddress.parse(MODEL, options.mac());
        return new DhcpProbe(mac, interval, macs, context);
    }
}
