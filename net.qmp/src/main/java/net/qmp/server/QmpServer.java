package net.qmp.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.api.NetException;
import net.api.RequireRuntime;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.qmp.QmpCommand;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.Version;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;
import net.control.qmp.QmpClientInfo;
import net.control.qmp.QmpListener;
import net.control.qmp.QmpService;
import net.log.Loggers;

/**
 * The QMP server: endpoints in QEMU's syntax, each client its own session speaking QEMU 7.2's
 * protocol over {@link NetControl}, third-party {@link QmpCommand} services as extra commands
 * (whiteboard, property {@value QmpCommand#NAME}), and the runtime's events to every negotiated
 * client (it is a {@link NetEventListener}). Sessions run on threads of their own (virtual over
 * TCP, platform over unix sockets), never on the runtime's event loops. Descriptors clients pass
 * over unix sockets are kept as QEMU keeps them ({@link FdCommands}). Deactivation closes every
 * endpoint, socket, thread and descriptor.
 */
// A resolver asked for the QMP server brings the runtime it serves.
@RequireRuntime
@Component(service = {QmpService.class, NetEventListener.class}, immediate = true)
public final class QmpServer implements QmpService, NetEventListener {

    /** The QEMU release whose QMP and netdev schema Patchbay speaks: the greeting and {@code query-version} report it. */
    private static final int QEMU_MAJOR = 7;
    private static final int QEMU_MINOR = 2;
    private static final int QEMU_MICRO = 0;

    /** How long a stop on a signal waits for clients to take their {@code SHUTDOWN}. */
    static final Duration FAREWELL = Duration.ofMillis(100);

    private final QmpCommands commands;
    private final Runnable quit;
    private final ObjectNode greeting;
    private final System.Logger log;
    private final List<QmpEndpoint> endpoints = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** The OSGi component's loggers; outside OSGi the caller gives its logger. */
    private Loggers logs;

    /**
     * The OSGi component: {@code quit} stops the framework.
     *
     * @param context this bundle's context
     * @param control the runtime
     */
    @Activate
    public QmpServer(BundleContext context, @Reference NetControl control) {
        this(context, control, new Loggers());
    }

    private QmpServer(BundleContext context, NetControl control, Loggers logs) {
        this(control, packageName(context.getBundle().getVersion()), logs.logger(QmpServer.class.getName()), context);
        this.logs = logs;
    }

    private QmpServer(NetControl control, String packageName, System.Logger log, BundleContext context) {
        this(control, packageName, () -> stopFramework(context, log), log);
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
     * A server outside OSGi (tests, embedding).
     *
     * @param control     the runtime
     * @param packageName the {@code package} member of QAPI's VersionInfo, e.g. {@code patchbay-1.0.0}
     * @param quit        what {@code quit} does once its reply is written
     * @param log         where connections and failures are logged
     */
    public QmpServer(NetControl control, String packageName, Runnable quit, System.Logger log) {
        this.log = log;
        this.quit = quit;
        ObjectNode version = QmpJson.MAPPER.createObjectNode();
        // QAPI's member order; the writer puts them in QEMU's output order.
        version.putObject("qemu").put("major", QEMU_MAJOR).put("minor", QEMU_MINOR).put("micro", QEMU_MICRO);
        version.put("package", packageName);
        this.commands = new QmpCommands(control, version, quit, this);
        this.greeting = QmpJson.MAPPER.createObjectNode();
        ObjectNode qmp = greeting.putObject("QMP");
        qmp.set("version", version.deepCopy());
        // As a QEMU monitor on a socket does: out-of-band execution is offered (no command allows it).
        qmp.putArray("capabilities").add("oob");
    }

    private static String packageName(Version version) {
        return "patchbay-" + version.getMajor() + "." + version.getMinor() + "." + version.getMicro();
    }

    /** Stops the system bundle from a thread of its own: stopping waits for this component to go. */
    private static void stopFramework(BundleContext context, System.Logger log) {
        Thread.ofPlatform().name("qmp-quit").start(() -> {
            try {
                context.getBundle(Constants.SYSTEM_BUNDLE_ID).stop();
            } catch (BundleException | IllegalStateException e) {
                log.log(System.Logger.Level.ERROR, "quit: cannot stop the framework: " + e.getMessage());
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Always a server socket: {@code server=on} is implied and {@code server=off} refused;
     * {@code wait=on} is accepted but Patchbay never holds start-up for a client.
     */
    @Override
    public QmpListener listen(String address) throws NetException {
        return open(QmpAddress.parse(address, true));
    }

    /**
     * A QMP endpoint as QEMU's {@code -qmp} takes it: with {@code server=on} it listens, without it
     * it connects out to a listening QMP client (a management tool waiting for the monitor) and
     * serves that one connection; when it ends, the endpoint stays, unconnected, as QEMU's does.
     *
     * @param address in QEMU's chardev syntax, e.g. {@code tcp:127.0.0.1:4444}
     * @return the endpoint
     * @throws NetException QEMU's {@code Failed to connect to 'ADDRESS': REASON}, or an error in the address
     */
    @Override
    public QmpListener open(String address) throws NetException {
        return open(QmpAddress.parse(address, false));
    }

    private QmpListener open(QmpAddress parsed) throws NetException {
        QmpEndpoint endpoint = QmpEndpoint.open(parsed, start -> {
            commands.fdSets().clientConnected();
            return new QmpSession(start.connection(), start.endpoint(), start.peer(), start.maxQueued(), commands,
                    greeting, log,
                    session -> {
                        start.onClose().accept(session);
                        commands.fdSets().clientLeft();
                        log.log(System.Logger.Level.DEBUG, "QMP client " + start.peer() + " disconnected");
                    });
        }, endpoints::remove, log);
        endpoints.add(endpoint);
        // Checked after adding, so a close() running meanwhile cannot miss this endpoint.
        if (closed) {
            endpoint.close();
            throw NetException.generic("QMP server is shutting down");
        }
        log.log(System.Logger.Level.INFO, (parsed.server() ? "QMP listening on " : "QMP connected to ")
                + endpoint.address());
        if (parsed.remote()) {
            log.log(System.Logger.Level.WARNING, "QMP endpoint " + endpoint.address() + " is open to other hosts:"
                    + " QMP is unauthenticated, and whoever connects can run programs as Patchbay's user");
        }
        return endpoint;
    }

    @Override
    public List<QmpListener> listeners() {
        return List.copyOf(endpoints);
    }

    @Override
    public List<QmpClientInfo> clients() {
        return endpoints.stream().flatMap(e -> e.clients().stream()).toList();
    }

    /**
     * Queues the event for every negotiated client; returns at once (runtime threads call it), and
     * throws nothing, an Error included: a failure here must not stop the runtime's loop.
     */
    @Override
    public void event(String name, Map<String, Object> data, Instant time) {
        try {
            forward(name, data, time);
        } catch (Throwable t) {
            log.log(System.Logger.Level.ERROR, "QMP event " + name + " not sent: " + t);
        }
    }

    private void forward(String name, Map<String, Object> data, Instant time) {
        byte[] bytes = serialisedEvent(name, data, time);
        endpoints.forEach(e -> e.event(bytes));
    }

    /**
     * Patchbay stops on a signal (SIGTERM, SIGINT, SIGHUP): as QEMU 7.2, every negotiated client is
     * sent {@code SHUTDOWN} with reason {@code host-signal}. Returns once each has it on the wire,
     * or after {@link #FAREWELL} for clients that do not read; the sessions close later, with the
     * server.
     */
    public void hostSignal() {
        farewell("host-signal");
    }

    /**
     * {@code quit} typed at Patchbay's console: as QEMU 7.2's HMP {@code quit}, every negotiated
     * client is sent {@code SHUTDOWN} with reason {@code host-qmp-quit} (waiting as {@link
     * #hostSignal()} does), then Patchbay stops.
     */
    @Override
    public void quit() {
        farewell("host-qmp-quit");
        quit.run();
    }

    @Override
    public String humanMonitorCommand(String commandLine) {
        return commands.humanMonitor().console(commandLine);
    }

    private void farewell(String reason) {
        byte[] bytes = serialisedEvent(Quit.SHUTDOWN, Quit.data(reason), Instant.now());
        List<QmpSession> sessions = endpoints.stream().flatMap(e -> e.sessions().stream()).toList();
        CountDownLatch written = new CountDownLatch(sessions.size());
        for (QmpSession session : sessions) {
            if (!session.event(bytes, written::countDown)) {
                written.countDown();
            }
        }
        try {
            if (!written.await(FAREWELL.toMillis(), TimeUnit.MILLISECONDS)) {
                log.log(System.Logger.Level.DEBUG, "QMP: " + written.getCount()
                        + " clients did not take SHUTDOWN before the stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the event message as every client gets it, serialised once */
    private static byte[] serialisedEvent(String name, Map<String, Object> data, Instant time) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", name);
        if (data != null && !data.isEmpty()) {
            event.put("data", data);
        }
        Map<String, Object> timestamp = new LinkedHashMap<>();
        timestamp.put("seconds", time.getEpochSecond());
        timestamp.put("microseconds", time.getNano() / 1000);
        event.put("timestamp", timestamp);
        return QmpSession.serialised(QmpJson.MAPPER.valueToTree(event));
    }

    /**
     * A {@link QmpCommand} service arrived; it is listed and callable from now on.
     *
     * @param command    the command
     * @param properties its service properties ({@value QmpCommand#NAME})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindQmpCommand(QmpCommand<?> command, Map<String, Object> properties) {
        Object name = properties.get(QmpCommand.NAME);
        if (name == null) {
            log.log(System.Logger.Level.WARNING, "QmpCommand " + command.getClass().getName()
                    + " has no '" + QmpCommand.NAME + "' property; ignored");
        } else if (!commands.addExtension(name.toString(), command)) {
            log.log(System.Logger.Level.WARNING, "QmpCommand '" + name + "' is a built-in command; the built-in stays");
        }
    }

    /**
     * A {@link QmpCommand} service left; the command is gone (CommandNotFound).
     *
     * @param command    the command
     * @param properties its service properties
     */
    public void unbindQmpCommand(QmpCommand<?> command, Map<String, Object> properties) {
        Object name = properties.get(QmpCommand.NAME);
        if (name != null) {
            commands.removeExtension(name.toString(), command);
        }
    }

    /** Closes every endpoint and disconnects every client. */
    @Deactivate
    public void close() {
        closed = true;
        endpoints.forEach(QmpEndpoint::close);
        commands.fdSets().closeAll();
    }
}
