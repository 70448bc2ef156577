package net.backend.vhostuser;

import net.api.ErrorClass;
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
    /** QEMU's bound on queue pairs ({@code MAX_QUEUE_NUM}). */
    static final int MAX_QUEUES = 1024;

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
        ChardevPort port;
        try {
            port = chardevs.attach(options.chardev(), context.loop(), frontEnd);
        } catch (NetException e) {
            throw e.errorClass() == ErrorClass.DeviceNotFound
                    ? NetException.generic("chardev \"%s\" not found", options.chardev()) : e;
        }
        try {
            // QEMU claims the chardev first (a unix socket: descriptors must pass), then checks the queues.
            if (port.isConnected() && !VhostUserFrontEnd.passesDescriptors(port)) {
                throw NetException.generic("chardev \"%s\" does not support FD passing", options.chardev());
            }
            long queues = options.queues() == null ? 1 : options.queues();
            if (queues < 1 || queues > MAX_QUEUES) {
                throw NetException.generic("vhost-user number of queues must be in range [1, %d]", MAX_QUEUES);
            }
            frontEnd.start(port, (int) queues);
            return frontEnd;
        } catch (NetException | RuntimeException e) {
            port.close();
            throw e;
        }
    }
}
