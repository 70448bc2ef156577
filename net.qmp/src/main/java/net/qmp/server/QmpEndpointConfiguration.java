package net.qmp.server;

import java.util.Map;
import net.api.NetException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;
import net.control.qmp.QmpListener;
import net.control.qmp.QmpService;
import net.log.Loggers;

/**
 * A QMP endpoint from ConfigAdmin: each factory configuration of PID {@value #PID} with a property
 * {@value #ADDRESS} in QEMU's syntax ({@code tcp:127.0.0.1:4444,server=on,wait=off},
 * {@code unix:/run/patchbay/qmp.sock,server=on,wait=off}) is one open endpoint. It listens
 * ({@code server=on} implied) unless the property {@value #SERVER} is {@code false} ({@code off}):
 * then the address is read as QEMU's {@code -qmp} reads it, and without {@code server=on} the
 * endpoint connects out to a QMP client that listens there. A changed configuration reopens it; a
 * deleted one closes it. An endpoint that cannot open is one ERROR line in the log.
 */
@Component(configurationPid = QmpEndpointConfiguration.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
public final class QmpEndpointConfiguration {

    /** The factory PID. */
    public static final String PID = "net.qmp.endpoint";

    /** The property holding the address. */
    public static final String ADDRESS = "address";

    /** The property that, {@code false}, lets the endpoint connect out instead of listening. */
    public static final String SERVER = "server";

    private final Loggers logs = new Loggers();
    private final QmpService qmp;
    private final System.Logger log;
    private QmpListener listener;

    /**
     * The OSGi component.
     *
     * @param qmp the server
     */
    @Activate
    public QmpEndpointConfiguration(@Reference QmpService qmp) {
        this.qmp = qmp;
        this.log = logs.logger(QmpEndpointConfiguration.class.getName());
    }

    /**
     * Opens the endpoint once the log, if there is one, is bound (after the constructor).
     *
     * @param properties the configuration
     */
    @Activate
    synchronized void activate(Map<String, Object> properties) {
        open(properties);
    }

    /** @param factory the OSGi log, optional: without one this logs to {@code System.Logger} */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerFactory(LoggerFactory factory) {
        logs.bind(factory);
    }

    void unbindLoggerFactory(LoggerFactory factory) {
        logs.unbind(factory);
    }

    /**
     * An endpoint configuration outside OSGi (tests).
     *
     * @param qmp        the server
     * @param log        where a failure is reported
     * @param properties the configuration
     */
    QmpEndpointConfiguration(QmpService qmp, System.Logger log, Map<String, Object> properties) {
        this.qmp = qmp;
        this.log = log;
        open(properties);
    }

    /** @param properties the changed configuration: the endpoint is reopened with it */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        close();
        open(properties);
    }

    /** Closes the endpoint. */
    @Deactivate
    synchronized void close() {
        if (listener != null) {
            listener.close();
            listener = null;
        }
    }

    /** @return the open endpoint, or null when the configuration could not open one */
    synchronized QmpListener listener() {
        return listener;
    }

    private synchronized void open(Map<String, Object> properties) {
        Object address = properties.get(ADDRESS);
        if (address == null) {
            log.log(System.Logger.Level.ERROR, "QMP endpoint configuration " + properties.get("service.pid")
                    + ": property '" + ADDRESS + "' is missing");
            return;
        }
        try {
            Object server = properties.get(SERVER);
            boolean listen = server == null || QmpAddress.flag(SERVER, String.valueOf(server));
            listener = listen ? qmp.listen(address.toString()) : qmp.open(address.toString());
        } catch (NetException e) {
            log.log(System.Logger.Level.ERROR, "QMP endpoint '" + address + "': " + e.getMessage());
        }
    }
}
