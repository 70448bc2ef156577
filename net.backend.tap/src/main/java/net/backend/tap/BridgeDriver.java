package net.backend.tap;

import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code bridge} netdev type: a tap that QEMU's bridge helper creates and enslaves to
 * {@code br} (default {@code br0}) after checking its ACL ({@code /etc/qemu/bridge.conf}).
 */
@Component(service = NetClientDriver.class)
@NetType("bridge")
public final class BridgeDriver implements NetClientDriver<BridgeOptions> {

    @Override
    public Class<BridgeOptions> optionsType() {
        return BridgeOptions.class;
    }

    @Override
    public NetClient open(BridgeOptions o, NetClientContext context) throws NetException {
        String helper = o.helper() == null ? BridgeHelper.DEFAULT_HELPER : o.helper();
        String br = o.br() == null ? BridgeHelper.DEFAULT_BRIDGE : o.br();
        return TapDriver.fromHelper(context, helper, br, "helper=" + helper + ",br=" + br);
    }
}
