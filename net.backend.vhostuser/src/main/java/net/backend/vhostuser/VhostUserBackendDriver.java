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
 * The {@code vhost-user-backend} netdev type: Patchbay as the vhost-user back end (the part
 * DPDK's vhost library or a virtual switch plays), so a QEMU guest's {@code -netdev vhost-user}
 * joins a Patchbay hub through shared memory. Options in the style of QEMU's {@code vhost-user}.
 */
@Component(service = NetClientDriver.class)
@NetType(VhostUserBackendDriver.TYPE)
public final class VhostUserBackendDriver implements NetClientDriver<VhostUserBackendOptions> {

    /** The netdev type. */
    public static final String TYPE = "vhost-user-backend";
    /** The most queue pairs, as QEMU's vhost-user allows ({@code MAX_QUEUE_NUM}). */
    static final int MAX_QUEUES = 1024;

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
        if (options.chardev() == null) {
            throw NetException.generic("Parameter 'chardev' is missing");
        }
        long queues = int64("queues", options.queues(), 1);
        VhostUserBackend backend = new VhostUserBackend(context, options.chardev());
        ChardevPort port;
        try {
            port = chardevs.attach(options.chardev(), context.loop(), backend);
        } catch (NetException e) {
            if (e.errorClass() == ErrorClass.DeviceNotFound) {
                throw NetException.generic("chardev \"" + options.chardev() + "\" not found");
            }
            throw e;
        }
        // QEMU claims the chardev first (a unix socket: descriptors must pass), then checks the number
        if (port.isConnected() && !VhostUserFrontEnd.passesDescriptors(port)) {
            port.close();
            throw NetException.generic("chardev \"" + options.chardev() + "\" does not support FD passing");
        }
        if (queues < 1 || queues > MAX_QUEUES) {
            port.close();
            throw NetException.generic("vhost-user-backend number of queues must be in range [1, " + MAX_QUEUES + "]");
        }
        backend.start(port, (int) queues);
        return backend;
    }

    /** QEMU's int64 option: any C base, QEMU's words when it is none. */
    private static long int64(String name, String value, long absent) throws NetException {
        if (value == null) {
            return absent;
        }
        try {
            return Long.decode(value.strip());
        } catch (NumberFormatException e) {
            throw NetException.generic("Parameter '" + name + "' expects an int64 value");
        }
    }
}
