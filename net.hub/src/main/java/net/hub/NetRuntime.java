package net.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.api.RequireRuntime;
import net.api.RxFilterInfo;
import net.api.RxFilterReporter;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.Section;
import net.control.dto.DriverDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.StatisticsDTO;
import net.hub.loop.EventLoop;
import net.hub.loop.EventLoopGroup;
import net.log.Loggers;
import org.osgi.annotation.bundle.Capability;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.LoggerFactory;

/**
 * The runtime as a service: the {@link NetControl} every front end calls, and the tracker of
 * driver services. A thin facade over its parts: {@link Topology} (what exists),
 * {@link DriverRegistry} (who implements which type), {@link Clients} and {@link FilterObjects}
 * (QEMU's rules for changing them), {@link ClientLifecycle} (open, close, release on the loops),
 * {@link Snapshots} (the DTOs queries return) and the event loops.
 */
@Component(service = NetControl.class, immediate = true)
// What drivers and front ends require (RequireRuntime): the implementation of net.api's SPI, at
// that package's version.
@Capability(namespace = RequireRuntime.NAMESPACE, name = RequireRuntime.NAME, version = "2.1.0")
public final class NetRuntime implements NetControl {

    /** Framework property: number of event-loop threads (default: the number of cores). */
    public static final String LOOPS_PROPERTY = "patchbay.loops";
    /**
     * Framework property: hold the event loops from the start until {@link #startupComplete()},
     * for at most this many seconds (the launcher sets it; without it nothing is held).
     */
    public static final String STARTUP_HOLD_PROPERTY = "patchbay.startup.hold";
    /** How long ending start-up waits for the loops to make the connections pending meanwhile. */
    private static final Duration STARTUP_CONNECTIONS = Duration.ofSeconds(5);
    private static final String RUNTIME_LOGGER = "net.hub";

    private final System.Logger log;
    private final EventLoopGroup loops;
    private final Topology topology;
    private final DriverRegistry drivers;
    private final ClientLifecycle lifecycle;
    private final Clients clients;
    private final FilterObjects filters;
    private final Snapshots snapshots;
    private final RateSampler rates;
    private final Announcements announcements;
    private final List<NetEventListener> listeners = new CopyOnWriteArrayList<>();
    /** Counted down when start-up ends, by a front end or by the hold's deadline. */
    private final CountDownLatch startupEnded = new CountDownLatch(1);
    /** Whether the whole framework is stopping: then drivers leave in no particular order. */
    private final BooleanSupplier frameworkStopping;
    private boolean closed;
    /** The OSGi component's loggers; outside OSGi the caller gives its own. */
    private Loggers logs;

    /**
     * The OSGi component; the framework property {@value #LOOPS_PROPERTY} (loops) is read. It logs
     * to the OSGi log while there is one ({@link #bindLoggerFactory}), to {@code System.Logger}
     * otherwise.
     */
    @Activate
    public NetRuntime() {
        this(FrameworkUtil.getBundle(NetRuntime.class).getBundleContext(), new Loggers());
    }

    private NetRuntime(BundleContext context, Loggers logs) {
        this(loopCount(context.getProperty(LOOPS_PROPERTY)),
                name -> name.equals(RUNTIME_LOGGER) ? logs.logger(name) : logs.logger(name, name + ": "),
                EventLoop.CALL_TIMEOUT,
                seconds(context.getProperty(STARTUP_HOLD_PROPERTY)),
                () -> context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getState() == Bundle.STOPPING);
        this.logs = logs;
    }

    /** @param factory the OSGi log, optional: without one the runtime logs to {@code System.Logger} */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLoggerFactory(LoggerFactory factory) {
        logs.bind(factory);
    }

    void unbindLoggerFactory(LoggerFactory factory) {
        logs.unbind(factory);
    }

    /**
     * A runtime outside OSGi (tests, embedding).
     *
     * @param loopCount number of event loops
     * @param loggers   logger per name
     */
    public NetRuntime(int loopCount, Function<String, System.Logger> loggers) {
        this(loopCount, loggers, EventLoop.CALL_TIMEOUT);
    }

    /**
     * A runtime outside OSGi with its own deadline for drivers.
     *
     * @param loopCount      number of event loops
     * @param loggers        logger per name
     * @param controlTimeout how long a control operation waits for a driver's {@code open()} or
     *                       {@code close()} on a loop before it fails
     */
    public NetRuntime(int loopCount, Function<String, System.Logger> loggers, Duration controlTimeout) {
        this(loopCount, loggers, controlTimeout, null);
    }

    /**
     * A runtime outside OSGi, held from its start until {@link #startupComplete()} if asked.
     *
     * @param loopCount      number of event loops
     * @param loggers        logger per name
     * @param controlTimeout as for {@link #NetRuntime(int, Function, Duration)}
     * @param startupHold    the longest start-up may hold the loops, or null for no hold
     */
    public NetRuntime(int loopCount, Function<String, System.Logger> loggers, Duration controlTimeout,
            Duration startupHold) {
        this(loopCount, loggers, controlTimeout, startupHold, () -> false);
    }

    private NetRuntime(int loopCount, Function<String, System.Logger> loggers, Duration controlTimeout,
            Duration startupHold, BooleanSupplier frameworkStopping) {
        this.log = loggers.apply(RUNTIME_LOGGER);
        this.frameworkStopping = frameworkStopping;
        this.loops = new EventLoopGroup(loopCount, log, startupHold != null);
        this.topology = new Topology(loops);
        // Drivers leaving because the whole framework stops are no news.
        this.drivers = new DriverRegistry(log, frameworkStopping);
        OptionBinder binder = new OptionBinder();
        this.lifecycle = new ClientLifecycle(binder, this::emit, controlTimeout, log);
        this.filters = new FilterObjects(topology, drivers, lifecycle, log);
        this.clients = new Clients(topology, drivers, lifecycle, filters, loops, binder, loggers, this::emit, log);
        this.snapshots = new Snapshots(topology, log);
        this.rates = new RateSampler(topology, snapshots, log);
        this.announcements = new Announcements(topology, lifecycle);
        if (startupHold != null) {
            Thread.ofVirtual().name("patchbay-startup-hold").start(() -> endHoldAfter(startupHold));
        }
    }

    /** A runtime whose front end never says start-up is complete is not held for ever. */
    private void endHoldAfter(Duration hold) {
        try {
            if (!startupEnded.await(hold.toNanos(), TimeUnit.NANOSECONDS) && !isClosed()) {
                log.log(System.Logger.Level.WARNING, "start-up not completed within " + hold.toSeconds()
                        + " s: netdevs are read from now on");
                startupComplete();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the duration in whole seconds, or null when not set or not a number */
    private static Duration seconds(String configured) {
        try {
            return configured == null ? null : Duration.ofSeconds(Long.parseLong(configured.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int loopCount(String configured) {
        if (configured != null) {
            try {
                return Math.max(1, Integer.parseInt(configured.trim()));
            } catch (NumberFormatException e) {
                // fall back to the default below
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * Shuts down in order, so that a capture holds every frame delivered before: nothing is sent
     * any more, then every netdev and NIC closes, then every filter (a capture writes what it
     * recorded and closes its file), then the loops stop. A second call does nothing.
     */
    @Deactivate
    public void close() {
        synchronized (this) {
            if (closed) {
                return; // the loops are gone: a second close would wait on each of them in vain
            }
            closed = true;
        }
        startupEnded.countDown();
        rates.close();
        List<ClientEntry> clients = topology.clients();
        for (ClientEntry e : clients) {
            lifecycle.quietly(() -> lifecycle.onLoop(e.state.loop(), () -> {
                e.state.stopSending();
                return null;
            }));
        }
        clients.forEach(lifecycle::closeAndRelease);
        topology.filters().forEach(lifecycle::closeAndRelease);
        try {
            loops.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After {@link #close()} the loops are gone: drivers that come or go change nothing. */
    private synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Whether a driver leaving is to be ignored: after {@link #close()}, and when the framework
     * stops, which may stop the drivers' bundles before this one, a capture's before the netdevs
     * it records. Then everything is shut down in order first, while every driver is still there.
     */
    private boolean shutDown() {
        if (!isClosed() && frameworkStopping.getAsBoolean()) {
            close();
        }
        return isClosed();
    }

    // ---- driver services ---------------------------------------------------------------------------

    /**
     * A netdev driver registered.
     *
     * @param driver     the driver
     * @param properties its service properties ({@value NetClientDriver#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindNetClientDriver(NetClientDriver<?> driver, Map<String, Object> properties) {
        if (!isClosed()) {
            clients.driverArrived(drivers.netdevs, driver, DriverRegistry.typeOf(properties, NetClientDriver.TYPE));
        }
    }

    /**
     * A netdev driver left: its netdevs close and wait, or move to the next driver of the type.
     *
     * @param driver     the driver
     * @param properties its service properties
     */
    public void unbindNetClientDriver(NetClientDriver<?> driver, Map<String, Object> properties) {
        if (!shutDown()) {
            clients.driverLeft(drivers.netdevs, driver, DriverRegistry.typeOf(properties, NetClientDriver.TYPE));
        }
    }

    /**
     * A filter type registered.
     *
     * @param driver     the filter driver
     * @param properties its service properties ({@value NetFilterDriver#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindNetFilterDriver(NetFilterDriver<?> driver, Map<String, Object> properties) {
        if (!isClosed()) {
            filters.driverArrived(driver, DriverRegistry.typeOf(properties, NetFilterDriver.TYPE));
        }
    }

    /**
     * A filter type left.
     *
     * @param driver     the filter driver
     * @param properties its service properties
     */
    public void unbindNetFilterDriver(NetFilterDriver<?> driver, Map<String, Object> properties) {
        if (!shutDown()) {
            filters.driverLeft(driver, DriverRegistry.typeOf(properties, NetFilterDriver.TYPE));
        }
    }

    /**
     * A NIC model registered.
     *
     * @param model      the model
     * @param properties its service properties ({@value NicModel#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindNicModel(NicModel<?> model, Map<String, Object> properties) {
        if (!isClosed()) {
            clients.driverArrived(drivers.nics, model, DriverRegistry.typeOf(properties, NicModel.TYPE));
        }
    }

    /**
     * A NIC model left.
     *
     * @param model      the model
     * @param properties its service properties
     */
    public void unbindNicModel(NicModel<?> model, Map<String, Object> properties) {
        if (!shutDown()) {
            clients.driverLeft(drivers.nics, model, DriverRegistry.typeOf(properties, NicModel.TYPE));
        }
    }

    /**
     * A management front end wants events.
     *
     * @param listener the listener
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void bindNetEventListener(NetEventListener listener) {
        listeners.add(listener);
    }

    /** @param listener the listener that left */
    public void unbindNetEventListener(NetEventListener listener) {
        listeners.remove(listener);
    }

    private void emit(String name, Map<String, Object> data) {
        Instant now = Instant.now();
        for (NetEventListener l : listeners) {
            try {
                l.event(name, data, now);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.ERROR, "event listener failed: " + e, e);
            }
        }
    }

    // ---- NetControl ----------------------------------------------------------------------------------

    @Override
    public String add(Section section, Map<String, Object> arguments) throws NetException {
        return create(section, arguments, false);
    }

    @Override
    public String declare(Section section, Map<String, Object> arguments) throws NetException {
        return create(section, arguments, true);
    }

    @Override
    public String declareAwaiting(Section section, Map<String, Object> arguments) throws NetException {
        if (section != Section.NETDEV) {
            return declare(section, arguments);
        }
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        String type = QapiArguments.requireType(section, args);
        args.remove(section.typeKey());
        return clients.addNetdev(type, args, Clients.Mode.AWAIT_REFERENCES);
    }

    @Override
    public void declareRefused(String name, Map<String, Object> arguments, String reason) throws NetException {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        String type = QapiArguments.string(args, Section.NETDEV.typeKey());
        args.remove(Section.NETDEV.typeKey());
        clients.addRefused(name, type == null ? Clients.NO_TYPE : type, args, reason);
    }

    private String create(Section section, Map<String, Object> arguments, boolean declare) throws NetException {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        if (section == Section.NIC) {
            args.putIfAbsent(section.typeKey(), "user"); // QEMU's -nic without a type
        }
        String type = QapiArguments.requireType(section, args);
        args.remove(section.typeKey());
        return switch (section) {
            case NETDEV -> clients.addNetdev(type, args, declare ? Clients.Mode.DECLARE : Clients.Mode.ADD);
            case NET -> clients.addLegacy(type, args, declare);
            case OBJECT -> filters.add(type, args, declare);
            case DEVICE -> clients.addNic(type, args, declare);
            case NIC -> clients.addNicAndNetdev(type, args, declare);
            case CHARDEV -> throw notHere();
        };
    }

    @Override
    public void update(Section section, Map<String, Object> arguments) throws NetException {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        String type = QapiArguments.requireType(section, args);
        String id = QapiArguments.string(args, "id");
        switch (section) {
            case NETDEV, DEVICE -> clients.update(section, type, id, arguments);
            case OBJECT -> filters.update(type, id, arguments);
            case NET -> throw NetException.generic("-net options cannot be changed; use -netdev");
            case NIC -> throw NetException.generic("-nic options cannot be changed; use -netdev and -device");
            case CHARDEV -> throw notHere();
        }
    }

    /** Chardevs are net.chardev's: the command line and QMP reach them there. */
    private static NetException notHere() {
        return NetException.generic("chardevs are made by the net.chardev bundle (-chardev, chardev-add)");
    }

    @Override
    public void netdevDel(String id) throws NetException {
        if (shutDown()) {
            // A netdev file's configuration goes away as the framework stops: the shutdown's order holds.
            throw NetException.generic("netdev '%s' is shut down", id);
        }
        clients.netdevDel(id);
    }

    @Override
    public void objectDel(String id) throws NetException {
        if (shutDown()) {
            // A live capture's bundle stops as the framework stops: the shutdown's order holds.
            throw NetException.generic("object '%s' is shut down", id);
        }
        filters.del(id);
    }

    @Override
    public void deviceDel(String id) throws NetException {
        clients.deviceDel(id);
    }

    /** @return how many hubports from files wait for their netdev (tests: none is left behind) */
    int awaitingPorts() {
        return topology.awaitingCount();
    }

    @Override
    public void setLink(String name, boolean up) throws NetException {
        ClientEntry e = topology.client(name);
        lifecycle.onLoop(e.state.loop(), () -> {
            e.state.setLink(up);
            return null;
        });
    }

    @Override
    public void setFilterStatus(String id, boolean on) throws NetException {
        filters.setStatus(id, on);
    }

    @Override
    public NetworkDTO network() {
        return snapshots.network();
    }

    @Override
    public StatisticsDTO statistics() {
        return snapshots.statistics(rates.rates(), loops.loops());
    }

    @Override
    public NetClientDTO client(String name) throws NetException {
        return snapshots.describe(topology.client(name));
    }

    @Override
    public List<DriverDTO> drivers() {
        return drivers.drivers(topology);
    }

    @Override
    public Map<String, Class<?>> optionTypes(Section section) {
        return drivers.optionTypes(section);
    }

    @Override
    public void startupComplete() {
        startupEnded.countDown();
        try {
            loops.endStartup(STARTUP_CONNECTIONS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void announceSelf(long initial, long max, long rounds, long step, List<String> interfaces, String id) {
        announcements.announce(initial, max, rounds, step, interfaces, id);
    }

    @Override
    public List<RxFilterInfo> queryRxFilter(String name) throws NetException {
        List<ClientEntry> targets = new ArrayList<>();
        if (name == null) {
            targets.addAll(topology.clients().stream().filter(e -> e.section == Section.DEVICE).toList());
        } else {
            ClientEntry nic = topology.nic(name);
            if (nic == null) {
                throw topology.netdev(name) != null ? NetException.generic("net client(%s) isn't a NIC", name)
                        : NetException.generic("invalid net client name: %s", name);
            }
            targets.add(nic);
        }
        List<RxFilterInfo> out = new ArrayList<>();
        for (ClientEntry e : targets) {
            RxFilterInfo info = lifecycle.onLoop(e.state.loop(), () -> {
                if (!(e.state.client() instanceof RxFilterReporter reporter)) {
                    return null;
                }
                e.state.armRxFilterEvent();
                return reporter.rxFilter();
            });
            if (info != null) {
                out.add(info);
            } else if (name != null) {
                throw NetException.generic("net client(%s) doesn't support rx-filter querying", name);
            }
        }
        return out;
    }
}
