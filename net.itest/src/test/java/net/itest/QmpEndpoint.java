package net.itest;

import net.api.NetException;
import net.control.qmp.QmpListener;
import net.control.qmp.QmpService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** A QMP endpoint opened through the QMP server's service; the service is held until it closes. */
final class QmpEndpoint implements AutoCloseable {

    private final BundleContext context;
    private final ServiceReference<QmpService> reference;
    private final QmpListener listener;

    private QmpEndpoint(BundleContext context, ServiceReference<QmpService> reference, QmpListener listener) {
        this.context = context;
        this.reference = reference;
        this.listener = listener;
    }

    /**
     * Waits for the QMP server and opens an endpoint.
     *
     * @param context the test bundle's context
     * @param address QEMU's syntax, e.g. {@code tcp:127.0.0.1:0}
     * @return the open endpoint
     * @throws NetException for a bad address
     */
    static QmpEndpoint open(BundleContext context, String address) throws NetException {
        ServiceReference<QmpService> reference = Await.value("the QMP server",
                () -> context.getServiceReference(QmpService.class));
        QmpService server = context.getService(reference);
        try {
            return new QmpEndpoint(context, reference, server.listen(address));
        } catch (NetException | RuntimeException e) {
            context.ungetService(reference);
            throw e;
        }
    }

    /** @return where it listens, e.g. {@code tcp:127.0.0.1:40123} */
    String address() {
        return listener.address();
    }

    /** @return the TCP port of a {@code tcp:HOST:PORT} endpoint */
    int port() {
        String address = listener.address();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        try {
            listener.close();
        } finally {
            context.ungetService(reference);
        }
    }
}
