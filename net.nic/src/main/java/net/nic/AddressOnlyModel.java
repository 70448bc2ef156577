package net.nic;

import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;

/**
 * A model whose only property is its MAC address ({@code sink}, {@code echo}): the options and the
 * address parsing they share, so each such model says only what its NIC does.
 */
public abstract class AddressOnlyModel implements NicModel<AddressOnlyModel.Options> {

    /** @param mac the NIC's address; QEMU's next default when absent */
    public record Options(String mac) {
    }

    private final String model;
    private final MacTable macs;

    AddressOnlyModel(String model, MacTable macs) {
        this.model = model;
        this.macs = macs;
    }

    @Override
    public final Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public final NetClient open(Options options, NetClientContext context) throws NetException {
        MacAddress mac = options.mac() == null ? null : MacAddress.parse(model, options.mac());
        return open(mac, macs, context);
    }

    /**
     * @param mac     the address given, or null for QEMU's next default
     * @param macs    the table that hands out and takes back default addresses
     * @param context the NIC's context
     * @return the NIC
     */
    abstract NetClient open(MacAddress mac, MacTable macs, NetClientContext context);
}
