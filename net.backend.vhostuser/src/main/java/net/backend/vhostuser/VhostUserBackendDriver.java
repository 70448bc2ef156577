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
 * The {@code vhost-user-backend} netdev type: Patchbay as the vhost-user back end (the part
 * DPDK's vhost library or a virtual switch plays), so a QEMU guest's {@code -netdev vhost-user}
 * joins a Patchbay hub through shared memory. Options in the style of QEMU's {@code vhost-user}.
 */
@Component(service = NetClientDriver.class)
@NetType(VhostUserBackendDriver.TYPE)
public final class VhostUserBackendDriver implements NetClientDriver<VhostUserBackendOptions> {

    /** The netdev type. */
    public static final String TYPE = "vhost-user-backend";

    private final Chardevs chardevs;

    /** @param chardevs where the netdev's socket chardev is found */
    @Activate
    public VhostUserBackendDriver(@Reference Chardevs chardevs) {
        this.chardevs = chardevs;
    }

    @Override
    public Class<VhostUserBackendOptions> optionsType() {
        return VhostUserBackendOptions.class;
    }

    @Override
    public NetClient open(VhostUserBackendOptions options, NetClientContext context) throws NetException {
        long queues = options.queues() == null ? 1 : options.queues();
        VhostUserBackend backend = new VhostUserBackend(context, options.chardev());
        ChardevPort port = VhostUserChardev.claim(chardevs, options.chardev(), context.loop(), backend, TYPE, queues);
        backend.start(port, (int) queues);
        return backend;
    }
}
