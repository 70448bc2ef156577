package net.qmp.cli;

import net.control.qmp.QmpService;
import net.qmp.server.QmpServer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Tells the QMP server that Patchbay stops on a signal, before the framework stops it: its
 * clients then get QEMU's {@code SHUTDOWN} ({@link QmpServer#hostSignal()}). Like
 * {@link CommandLine}, called from outside the framework through JDK types.
 */
public final class HostSignal implements Runnable {

    private final BundleContext context;

    /** @param context the context to find the QMP server with */
    public HostSignal(BundleContext context) {
        this.context = context;
    }

    @Override
    public void run() {
        ServiceReference<QmpService> ref = context.getServiceReference(QmpService.class);
        QmpService service = ref == null ? null : context.getService(ref);
        if (service == null) {
            return;
        }
        try {
            // Only this bundle's server is told; another QmpService implementation has no such duty.
            if (service instanceof QmpServer server) {
                server.hostSignal();
            }
        } finally {
            context.ungetService(ref);
        }
    }
}
