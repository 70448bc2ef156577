package net.backend.vhostuser;

import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.chardev.ChardevPort;
import net.chardev.Chardevs;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code vhost-user} netdev type: Patchbay as the front end of a vhost-user back end (a DPDK
 * switch, testpmd, ...) reached through a unix socket chardev, with QEMU 7.2's options and words.
 */
@Component(service = NetClientDriver.class)
@NetType(VhostUserDriver.TYPE)
public final class VhostUserDriver implements NetClientDriver<VhostUserOptions> {

    /** The QAPI type. */
    public static final String TYPE = "vhost-user";

    private final Chardevs chardevs;

    /** @param chardevs where the back end's socket is found */
    @Activate
    public VhostUserDriver(@Reference Chardevs chardevs) {
        this.chardevs = chardevs;
    }

    @Override
    public Class<VhostUserOptions> optionsType() {
        return VhostUserOptions.class;
    }

    @Override
    public NetClient open(VhostUserOptions options, NetClientContext context) throws NetException {
        VhostUserFrontEnd frontEnd = new VhostUserFrontEnd(context, options.chardev());
        ChardevPort port = VhostUserChardev.claim(chardevs, options.chardev(), context.loop(), frontEnd, TYPE,
                options.queues() == null ? 1 : options.queues());
        try {
            frontEnd.start(port, options.queues() == null ? 1 : options.queues().intValue());
            return frontEnd;
        } catch (NetException | RuntimeException e) {
            port.close();
            throw e;
        }
    }
}
