package net.itest;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * A QMP endpoint opened through net.qmp's {@code QmpService}. That interface is internal to
 * net.qmp (its package is not exported), so the test calls it through the classes net.qmp
 * loaded; the service is held until the endpoint is closed.
 */
final class QmpEndpoint implements AutoCloseable {

    /** The QMP server's service interface. */
    static final String SERVICE = "net.qmp.server.QmpService";
    private static final String LISTENER = "net.qmp.server.QmpListener";

    private final BundleContext context;
    private final ServiceReference<?> reference;
    private final Object listener;
    private final Method close;
    private final String address;

    private QmpEndpoint(BundleContext context, ServiceReference<?> reference, Object listener, Method close,
            String address) {
        this.context = context;
        this.reference = reference;
        this.listener = listener;
        this.close = close;
        this.address = address;
    }

    /**
     * Waits for the QMP server and opens an endpoint.
     *
     * @param context the test bundle's context
     * @param address QEMU's syntax, e.g. {@code tcp:127.0.0.1:0}
     * @return the open endpoint
     * @throws Exception what {@code listen} threw (a NetException for a bad address)
     */
    static QmpEndpoint open(BundleContext context, String address) throws Exception {
        ServiceReference<?> reference = Await.value("the QMP server (" + SERVICE + ")",
                () -> context.getServiceReference(SERVICE));
        Bundle qmp = reference.getBundle();
        Method listen = qmp.loadClass(SERVICE).getMethod("listen", String.class);
        Class<?> listenerType = qmp.loadClass(LISTENER);
        Object service = context.getService(reference);
        try {
            Object listener = invoke(listen, service, address);
            String actual = (String) invoke(listenerType.getMethod("address"), listener);
            return new QmpEndpoint(context, reference, listener, listenerType.getMethod("close"), actual);
        } catch (Exception | Error e) {
            context.ungetService(reference);
            throw e;
        }
    }

    /** @return where it listens, e.g. {@code tcp:127.0.0.1:40123} */
    String address() {
        return address;
    }

    /** @return the TCP port of a {@code tcp:HOST:PORT} endpoint */
    int port() {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    @Override
    public void close() throws Exception {
        try {
            invoke(close, listener);
        } finally {
            context.ungetService(reference);
        }
    }

    /** Calls through reflection, rethrowing what the method itself threw. */
    private static Object invoke(Method method, Object target, Object... args) throws Exception {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }
}
