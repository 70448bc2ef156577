package net.hub;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import net.api.NetClient;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetFilter;
import net.api.NetFilterDirection;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.api.RxFilterReporter;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.Section;
import net.control.dto.DriverDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.api.RxFilterInfo;
import net.hub.data.ClientContext;
import net.hub.data.FilterContext;
import net.hub.data.Hub;
import net.hub.data.HubPort;
import net.hub.data.NetClientState;
import net.hub.data.NetClientState.Kind;
import net.hub.data.NetFilterState;
import net.hub.loop.ClientLoop;
import net.hub.loop.EventLoop;
import net.hub.loop.EventLoopGroup;
import net.log.OsgiSystemLogger;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LoggerFactory;

/**
 * The runtime and its control service: the registry of netdevs, NICs and filters, hubs, and the
 * drivers that back them. Control operations are serialised on this object and applied on the
 * owning event loops; when a driver leaves, its instances close and stay pending until a driver of
 * their type registers again.
 */
@Component(service = NetControl.class, immediate = true)
public final class NetRuntime implements NetControl {

    /** Framework property: number of event-loop threads (default: the number of cores). */
    public static final String LOOPS_PROPERTY = "patchbay.loops";

    private static final String HUBPORT = "hubport";
    private static final String BUILT_IN = "net.hub";
    private static final String RUNTIME_LOGGER = "net.hub";

    /** A netdev, hubport or NIC, with what it was created from. */
    private static final class ClientEntry {
        final NetClientState state;
        final Section section;
        final boolean deletable; // created by -netdev/netdev_add (not -net, not an automatic port)
        Map<String, Object> options;
        String error;

        ClientEntry(NetClientState state, Section section, boolean deletable, Map<String, Object> options) {
            this.state = state;
            this.section = section;
            this.deletable = deletable;
            this.options = options;
        }
    }

    /** A filter object, with what it was created from. */
    private static final class FilterEntry {
        final NetFilterState state;
        final ClientEntry netdev;
        Map<String, Object> options;
        String error;
        /** The open filter, kept for {@link NetFilter#release()} after its loop closed it. */
        NetFilter instance;

        FilterEntry(NetFilterState state, ClientEntry netdev, Map<String, Object> options) {
            this.state = state;
            this.netdev = netdev;
            this.options = options;
        }
    }

    private final Function<String, System.Logger> loggers;
    private final System.Logger log;
    private final EventLoopGroup loops;
    private final OptionBinder binder = new OptionBinder();
    private final Map<String, ClientEntry> netdevs = new LinkedHashMap<>();
    private final Map<String, ClientEntry> nics = new LinkedHashMap<>();
    private final Map<String, FilterEntry> filters = new LinkedHashMap<>();
    private final Map<Integer, Hub> hubs = new LinkedHashMap<>();
    private final Map<Integer, Integer> hubPortCounters = new LinkedHashMap<>();
    private final DriverTable<NetClientDriver<?>> netdevDrivers = new DriverTable<>("netdev");
    private final DriverTable<NetFilterDriver<?>> filterDrivers = new DriverTable<>("filter");
    private final DriverTable<NicModel<?>> nicModels = new DriverTable<>("nic");
    private final List<NetEventListener> listeners = new CopyOnWriteArrayList<>();
    private final ClientContext.EventSink events = this::emit;
    private boolean closed;

    /**
     * The OSGi component.
     *
     * @param loggerFactory the OSGi log; the framework property {@value #LOOPS_PROPERTY} sets the
     *                      number of loops
     */
    @Activate
    public NetRuntime(@Reference LoggerFactory loggerFactory) {
        this(loopCount(), name -> name.equals(RUNTIME_LOGGER) ? new OsgiSystemLogger(loggerFactory.getLogger(name))
                : new OsgiSystemLogger(loggerFactory.getLogger(name), name + ": "));
    }

    /**
     * A runtime outside OSGi (tests, embedding).
     *
     * @param loopCount number of event loops
     * @param loggers   logger per name
     */
    public NetRuntime(int loopCount, Function<String, System.Logger> loggers) {
        this.loggers = loggers;
        this.log = loggers.apply(RUNTIME_LOGGER);
        this.loops = new EventLoopGroup(loopCount, log);
    }

    private static int loopCount() {
        Bundle bundle = FrameworkUtil.getBundle(NetRuntime.class);
        String configured = bundle == null ? null : bundle.getBundleContext().getProperty(LOOPS_PROPERTY);
        if (configured != null) {
            try {
                return Math.max(1, Integer.parseInt(configured.trim()));
            } catch (NumberFormatException e) {
                // fall back to the default below
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** Closes every instance and stops the loops. */
    @Deactivate
    public synchronized void close() {
        if (closed) {
            return; // the loops are gone: a second close would wait on each of them in vain
        }
        closed = true;
        for (FilterEntry f : filters.values()) {
            closeFilter(f);
        }
        for (ClientEntry e : all()) {
            release(e.state, quietly(e.state.loop(), () -> closeOnLoop(e.state)));
        }
        try {
            loops.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- driver tracking -------------------------------------------------------------------

    /**
     * A netdev driver registered.
     *
     * @param driver     the driver
     * @param properties its service properties ({@value NetClientDriver#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void bindNetClientDriver(NetClientDriver<?> driver, Map<String, Object> properties) {
        clientDriverArrived(netdevDrivers, netdevs, driver, typeOf(properties, NetClientDriver.TYPE));
    }

    /**
     * A netdev driver left: its netdevs close and wait, or move to the next driver of the type.
     *
     * @param driver     the driver
     * @param properties its service properties
     */
    public synchronized void unbindNetClientDriver(NetClientDriver<?> driver, Map<String, Object> properties) {
        clientDriverLeft(netdevDrivers, netdevs, driver, typeOf(properties, NetClientDriver.TYPE));
    }

    /**
     * A filter type registered.
     *
     * @param driver     the filter driver
     * @param properties its service properties ({@value NetFilterDriver#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void bindNetFilterDriver(NetFilterDriver<?> driver, Map<String, Object> properties) {
        String type = typeOf(properties, NetFilterDriver.TYPE);
        if (type != null && filterDrivers.add(entry(driver, type))) {
            for (FilterEntry f : filterInstances(type)) {
                reopenFilter(f, driver);
            }
        }
    }

    /**
     * A filter type left.
     *
     * @param driver     the filter driver
     * @param properties its service properties
     */
    public synchronized void unbindNetFilterDriver(NetFilterDriver<?> driver, Map<String, Object> properties) {
        String type = typeOf(properties, NetFilterDriver.TYPE);
        if (type != null && filterDrivers.remove(type, driver)) {
            NetFilterDriver<?> next = filterDrivers.current(type);
            for (FilterEntry f : filterInstances(type)) {
                closeFilter(f);
                log.log(System.Logger.Level.INFO, "filter " + f.state.id() + " pending: type '" + type + "' went away");
                if (next != null) {
                    reopenFilter(f, next);
                }
            }
        }
    }

    /**
     * A NIC model registered.
     *
     * @param model      the model
     * @param properties its service properties ({@value NicModel#TYPE})
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public synchronized void bindNicModel(NicModel<?> model, Map<String, Object> properties) {
        clientDriverArrived(nicModels, nics, model, typeOf(properties, NicModel.TYPE));
    }

    /**
     * A NIC model left.
     *
     * @param model      the model
     * @param properties its service properties
     */
    public synchronized void unbindNicModel(NicModel<?> model, Map<String, Object> properties) {
        clientDriverLeft(nicModels, nics, model, typeOf(properties, NicModel.TYPE));
    }

    /** A netdev driver or NIC model arrived: if it is now the one in use, pending entries open. */
    private <D> void clientDriverArrived(DriverTable<D> table, Map<String, ClientEntry> entries, D driver, String type) {
        if (type != null && table.add(entry(driver, type))) {
            for (ClientEntry e : instances(entries.values(), type)) {
                reopen(e, driver);
            }
        }
    }

    /** The driver in use left: its entries close and wait, or move to the next driver of the type. */
    private <D> void clientDriverLeft(DriverTable<D> table, Map<String, ClientEntry> entries, D driver, String type) {
        if (type != null && table.remove(type, driver)) {
            D next = table.current(type);
            for (ClientEntry e : instances(entries.values(), type)) {
                closeClient(e, table.kind() + " driver '" + type + "' went away");
                if (next != null) {
                    reopen(e, next);
                }
            }
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

    // ---- NetControl --------------------------------------------------------------------------

    @Override
    public synchronized String add(Section section, Map<String, Object> arguments) throws NetException {
        return create(section, arguments, false);
    }

    @Override
    public synchronized String declare(Section section, Map<String, Object> arguments) throws NetException {
        return create(section, arguments, true);
    }

    @Override
    public synchronized void update(Section section, Map<String, Object> arguments) throws NetException {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        String type = requireType(section, args);
        String id = string(args, "id");
        switch (section) {
            case NETDEV, DEVICE -> {
                ClientEntry e = (section == Section.NETDEV ? netdevs : nics).get(id);
                if (e == null) {
                    throw new NetException(net.api.ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
                }
                if (!e.state.type().equals(type) || e.state.kind() == Kind.HUBPORT) {
                    // Another type, or a hubport (its hub and peer are its options): start afresh.
                    if (section == Section.NETDEV) {
                        netdevDel(id);
                    } else {
                        deviceDel(id);
                    }
                    create(section, arguments, true);
                    return;
                }
                args.remove(section.typeKey());
                args.remove("id");
                if (section == Section.DEVICE) {
                    args.remove("netdev");
                }
                closeClient(e, "options changed");
                e.options = args;
                Object driver = section == Section.NETDEV ? netdevDrivers.current(type) : nicModels.current(type);
                if (driver != null) {
                    try {
                        open(e, driver);
                    } catch (NetException ex) {
                        e.error = ex.getMessage();
                        throw ex;
                    }
                }
            }
            case OBJECT -> {
                FilterEntry f = filters.get(id);
                if (f == null) {
                    throw NetException.generic("object '%s' not found", id);
                }
                objectDel(id);
                create(section, arguments, true);
            }
            case NET -> throw NetException.generic("-net options cannot be changed; use -netdev");
        }
    }

    @Override
    public synchronized void netdevDel(String id) throws NetException {
        ClientEntry e = netdevs.get(id);
        if (e == null) {
            throw new NetException(net.api.ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
        }
        if (!e.deletable) {
            throw NetException.generic("Device '%s' is not a netdev", id);
        }
        deleteClient(e);
        netdevs.remove(id);
        log.log(System.Logger.Level.INFO, "netdev " + id + " deleted");
    }

    @Override
    public synchronized void objectDel(String id) throws NetException {
        FilterEntry f = filters.remove(id);
        if (f == null) {
            throw NetException.generic("object '%s' not found", id);
        }
        NetClientState netdev = f.state.netdev();
        onLoop(netdev.loop(), () -> {
            f.state.close();
            netdev.filters(without(netdev.filters(), f.state));
            return null;
        });
        release(f);
    }

    @Override
    public synchronized void deviceDel(String id) throws NetException {
        ClientEntry e = nics.get(id);
        if (e == null) {
            throw new NetException(net.api.ErrorClass.DeviceNotFound, "Device '" + id + "' not found");
        }
        deleteClient(e);
        nics.remove(id);
    }

    @Override
    public synchronized void setLink(String name, boolean up) throws NetException {
        ClientEntry e = lookup(name);
        onLoop(e.state.loop(), () -> {
            e.state.setLink(up);
            return null;
        });
    }

    @Override
    public synchronized NetworkDTO network() {
        List<HubDTO> hubList = new ArrayList<>();
        for (Hub hub : hubs.values()) {
            List<String> ports = hub.ports().stream().map(p -> portName(hub, p)).toList();
            hubList.add(0, new HubDTO(hub.id(), ports));
        }
        List<NetClientDTO> clients = new ArrayList<>();
        for (ClientEntry e : all()) {
            clients.add(describe(e));
        }
        return new NetworkDTO(hubList, clients);
    }

    @Override
    public synchronized NetClientDTO client(String name) throws NetException {
        return describe(lookup(name));
    }

    @Override
    public synchronized List<DriverDTO> drivers() {
        List<DriverDTO> out = new ArrayList<>();
        Bundle self = FrameworkUtil.getBundle(NetRuntime.class);
        out.add(new DriverDTO("netdev", HUBPORT, BUILT_IN, self == null ? "" : self.getVersion().toString(),
                instances(netdevs.values(), HUBPORT).size()));
        for (DriverTable.Entry<NetClientDriver<?>> d : netdevDrivers.inUse()) {
            out.add(new DriverDTO("netdev", d.type(), d.bundle(), d.version(), instances(netdevs.values(), d.type()).size()));
        }
        for (DriverTable.Entry<NetFilterDriver<?>> d : filterDrivers.inUse()) {
            out.add(new DriverDTO("filter", d.type(), d.bundle(), d.version(), filterInstances(d.type()).size()));
        }
        for (DriverTable.Entry<NicModel<?>> d : nicModels.inUse()) {
            out.add(new DriverDTO("nic", d.type(), d.bundle(), d.version(), instances(nics.values(), d.type()).size()));
        }
        return out;
    }

    @Override
    public synchronized List<RxFilterInfo> queryRxFilter(String name) throws NetException {
        List<ClientEntry> targets = new ArrayList<>();
        if (name == null) {
            targets.addAll(nics.values());
        } else {
            ClientEntry nic = nics.get(name);
            if (nic == null) {
                throw netdevs.containsKey(name) ? NetException.generic("net client(%s) isn't a NIC", name)
                        : NetException.generic("invalid net client name: %s", name);
            }
            targets.add(nic);
        }
        List<RxFilterInfo> out = new ArrayList<>();
        for (ClientEntry e : targets) {
            RxFilterInfo info = onLoop(e.state.loop(), () -> {
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

    // ---- creation ----------------------------------------------------------------------------

    private String create(Section section, Map<String, Object> arguments, boolean declare) throws NetException {
        Map<String, Object> args = new LinkedHashMap<>(arguments);
        String type = requireType(section, args);
        args.remove(section.typeKey());
        return switch (section) {
            case NETDEV -> createNetdev(type, args, declare);
            case NET -> createLegacy(type, args, declare);
            case OBJECT -> createFilter(type, args, declare);
            case DEVICE -> createNic(type, args, declare);
        };
    }

    private String createNetdev(String type, Map<String, Object> args, boolean declare) throws NetException {
        String id = requireId(args);
        if (netdevs.containsKey(id)) {
            throw NetException.generic("Duplicate ID '%s' for netdev", id);
        }
        if (HUBPORT.equals(type)) {
            createHubport(id, args, true);
            return id;
        }
        NetClientDriver<?> driver = netdevDrivers.current(type);
        if (driver == null && (!declare || !isBackendTypeName(type))) {
            throw NetException.generic("Parameter 'type' expects a netdev backend type");
        }
        ClientEntry e = newEntry(id, type, Kind.NETDEV, loops.next(), Section.NETDEV, true, args);
        if (driver != null) {
            open(e, driver);
        }
        netdevs.put(id, e);
        log.log(System.Logger.Level.INFO, "netdev " + id + " (" + type + ") " + (driver == null ? "pending: no driver yet" : "up"));
        return id;
    }

    private String createLegacy(String type, Map<String, Object> args, boolean declare) throws NetException {
        int vlan = intArgument(args.remove("vlan"), "vlan", 0);
        Object id = args.remove("id");
        Object name = args.remove("name");
        if ("none".equals(type)) {
            return null; // -net none: no network, nothing to name
        }
        if (HUBPORT.equals(type) || !isBackendTypeName(type) && !"nic".equals(type)) {
            throw NetException.generic("Parameter 'type' expects a net backend type (maybe it is not compiled into this binary)");
        }
        Hub hub = hub(vlan);
        if ("nic".equals(type)) {
            String model = string(args, "model");
            args.remove("model");
            if (model == null) {
                throw NetException.generic("Parameter 'model' is missing");
            }
            String portName = nextPortName(hub);
            ClientEntry port = createHubportNamed(portName, hub, null, false);
            Map<String, Object> nic = new LinkedHashMap<>(args);
            if (id != null || name != null) {
                nic.put("id", String.valueOf(id != null ? id : name));
            }
            nic.put("netdev", portName);
            try {
                return createNic(model, nic, declare);
            } catch (NetException e) {
                deleteClient(port); // nothing is left behind
                netdevs.remove(portName);
                throw e;
            }
        }
        if (netdevDrivers.current(type) == null && !declare) {
            throw NetException.generic("Parameter 'type' expects a net backend type (maybe it is not compiled into this binary)");
        }
        String netdevName = id != null || name != null ? Ids.check(String.valueOf(id != null ? id : name))
                : autoName(type, netdevs.keySet());
        if (netdevs.containsKey(netdevName)) {
            throw NetException.generic("Duplicate ID '%s' for netdev", netdevName);
        }
        NetClientDriver<?> driver = netdevDrivers.current(type);
        ClientEntry e = newEntry(netdevName, type, Kind.NETDEV, loops.next(), Section.NET, false, args);
        netdevs.put(netdevName, e);
        // Joined before it opens, so the backend can ask which hub it is on (a dump names its file after it).
        ClientEntry port = createHubportNamed(nextPortName(hub), hub, e, false);
        if (driver != null) {
            try {
                open(e, driver);
            } catch (NetException ex) {
                deleteClient(port); // nothing is left behind
                netdevs.remove(port.state.name());
                netdevs.remove(netdevName);
                throw ex;
            }
        }
        return netdevName;
    }

    private void createHubport(String id, Map<String, Object> args, boolean deletable) throws NetException {
        HubPortOptions options = binder.bind(HubPortOptions.class, args);
        ClientEntry target = null;
        if (options.netdev() != null) {
            target = netdevs.get(options.netdev());
            if (target == null || target.state.kind() == Kind.NIC) {
                throw NetException.generic("netdev '%s' not found", options.netdev());
            }
            if (target.state.peer() != null) {
                throw NetException.generic("netdev '%s' is already in use", options.netdev());
            }
        }
        createHubportNamed(id, hub(options.hubid()), target, deletable).options = args;
    }

    private ClientEntry createHubportNamed(String name, Hub hub, ClientEntry target, boolean deletable) throws NetException {
        EventLoop loop = target != null ? target.state.loop() : loops.next();
        ClientEntry e = newEntry(name, HUBPORT, Kind.HUBPORT, loop, Section.NETDEV, deletable, new LinkedHashMap<>());
        NetClientState port = e.state;
        onLoop(loop, () -> {
            HubPort hubPort = hub.addPort(port);
            port.open(hubPort, new ClientLoop(loop, port.log()), null);
            if (target != null) {
                port.peer(target.state);
                target.state.peer(port);
                peerChanged(port);
                peerChanged(target.state);
            }
            return null;
        });
        netdevs.put(name, e);
        return e;
    }

    private String createNic(String model, Map<String, Object> args, boolean declare) throws NetException {
        Object idArg = args.remove("id");
        String id = idArg == null ? autoName(model, nics.keySet()) : Ids.check(String.valueOf(idArg));
        if (nics.containsKey(id)) {
            throw NetException.generic("Duplicate ID '%s' for device", id);
        }
        Object netdevArg = args.remove("netdev");
        ClientEntry target = null;
        if (netdevArg != null) {
            target = netdevs.get(String.valueOf(netdevArg));
            if (target == null) {
                throw NetException.generic("Property '%s.netdev' can't find value '%s'", model, netdevArg);
            }
            if (target.state.peer() != null) {
                throw NetException.generic("Property '%s.netdev' can't take value '%s', it's in use", model, netdevArg);
            }
        }
        NicModel<?> driver = nicModels.current(model);
        if (driver == null && !declare) {
            throw NetException.generic("'%s' is not a valid device model name", model);
        }
        EventLoop loop = target != null ? target.state.loop() : loops.next();
        ClientEntry e = newEntry(id, model, Kind.NIC, loop, Section.DEVICE, true, args);
        if (driver != null) {
            open(e, driver);
        }
        ClientEntry peer = target;
        if (peer != null) {
            try {
                onLoop(loop, () -> {
                    e.state.peer(peer.state);
                    peer.state.peer(e.state);
                    peerChanged(e.state);
                    peerChanged(peer.state);
                    return null;
                });
            } catch (NetException ex) {
                release(e.state, quietly(loop, () -> closeOnLoop(e.state))); // nothing is left open
                throw ex;
            }
        }
        nics.put(id, e);
        return id;
    }

    private String createFilter(String type, Map<String, Object> args, boolean declare) throws NetException {
        if (args.get("props") instanceof Map<?, ?> props) {
            // QEMU 3.0's object-add nests the properties under "props".
            args.remove("props");
            props.forEach((k, v) -> args.put(String.valueOf(k), v));
        }
        String id = requireId(args);
        if (filters.containsKey(id)) {
            throw NetException.generic("attempt to add duplicate property '%s' to object (type 'container')", id);
        }
        Object netdevId = args.remove("netdev");
        if (netdevId == null) {
            throw NetException.generic("Parameter 'netdev' is required");
        }
        ClientEntry netdev = netdevs.get(String.valueOf(netdevId));
        if (netdev == null) {
            throw NetException.generic("Parameter 'netdev' expects a network backend id");
        }
        NetFilterDirection queue = direction(args.remove("queue"));
        boolean on = status(args.remove("status"));
        String position = args.containsKey("position") ? String.valueOf(args.remove("position")) : "tail";
        boolean before = insertBefore(args.remove("insert"));
        NetFilterState[] chain = netdev.state.filters();
        int index = insertionIndex(chain, position, before, netdev.state);
        NetFilterDriver<?> driver = filterDrivers.current(type);
        if (driver == null && !declare) {
            throw NetException.generic("invalid object type: %s", type);
        }
        FilterEntry f = new FilterEntry(new NetFilterState(id, type, netdev.state, queue, on), netdev, args);
        if (driver != null) {
            openFilter(f, driver);
        }
        try {
            onLoop(netdev.state.loop(), () -> {
                NetFilterState[] current = netdev.state.filters();
                List<NetFilterState> list = new ArrayList<>(List.of(current));
                list.add(Math.min(index, list.size()), f.state);
                netdev.state.filters(list.toArray(new NetFilterState[0]));
                return null;
            });
        } catch (NetException ex) {
            closeFilter(f); // nothing is left open
            throw ex;
        }
        filters.put(id, f);
        return id;
    }

    // ---- open and close ------------------------------------------------------------------------

    private ClientEntry newEntry(String name, String type, Kind kind, EventLoop loop, Section section, boolean deletable,
            Map<String, Object> options) {
        String logName = (kind == Kind.NIC ? "device " : "netdev ") + name;
        return new ClientEntry(new NetClientState(name, type, kind, loop, loggers.apply(logName)), section, deletable, options);
    }

    @SuppressWarnings("unchecked")
    private void open(ClientEntry e, Object driver) throws NetException {
        NetClientState state = e.state;
        Object options;
        if (driver instanceof NetClientDriver<?> d) {
            options = binder.bind(d.optionsType(), e.options);
        } else {
            options = binder.bind(((NicModel<?>) driver).optionsType(), e.options);
        }
        onLoop(state.loop(), () -> {
            ClientLoop clientLoop = new ClientLoop(state.loop(), state.log());
            ClientContext context = new ClientContext(state, clientLoop, events);
            NetClient client;
            try {
                client = driver instanceof NetClientDriver<?> d
                        ? ((NetClientDriver<Object>) d).open(options, context)
                        : ((NicModel<Object>) driver).open(options, context);
                if (client == null) {
                    throw NetException.generic("Device '%s' could not be initialized", state.type());
                }
            } catch (NetException | RuntimeException ex) {
                clientLoop.close();
                throw ex;
            }
            state.open(client, clientLoop, context);
            if (state.peer() != null) {
                peerChanged(state); // opened into its place: -net, or its driver came back
            }
            return null;
        });
        e.error = null;
    }

    private void reopen(ClientEntry e, Object driver) {
        try {
            open(e, driver);
            log.log(System.Logger.Level.INFO, e.state + " up (" + e.state.type() + ")");
        } catch (NetException ex) {
            e.error = ex.getMessage();
            log.log(System.Logger.Level.ERROR, e.state + ": " + ex.getMessage());
        }
    }

    private void closeClient(ClientEntry e, String why) {
        if (e.state.client() == null) {
            return;
        }
        release(e.state, quietly(e.state.loop(), () -> closeOnLoop(e.state)));
        log.log(System.Logger.Level.INFO, e.state + " pending: " + why);
    }

    private void deleteClient(ClientEntry e) throws NetException {
        for (FilterEntry f : List.copyOf(filters.values())) {
            if (f.netdev == e) {
                objectDel(f.state.id());
            }
        }
        NetClientState state = e.state;
        NetClient closed = onLoop(state.loop(), () -> {
            NetClient client = closeOnLoop(state);
            NetClientState peer = state.peer();
            if (peer != null) {
                peer.peer(null);
                state.peer(null);
                if (peer.kind() == Kind.NIC) {
                    peer.carrierLost();
                }
                peerChanged(peer);
            }
            return client;
        });
        release(state, closed);
    }

    /**
     * Closes a client's backend; call on its loop.
     *
     * @return the backend that was open, for {@link #release}, or null
     */
    private static NetClient closeOnLoop(NetClientState state) {
        NetClient client = state.client();
        state.close();
        return client;
    }

    /**
     * The blocking half of closing, on this (control) thread once the loop has closed the backend:
     * the loop and every other client on it run on meanwhile.
     */
    private static void release(NetClientState state, NetClient closed) {
        if (closed == null) {
            return;
        }
        try {
            closed.release();
        } catch (RuntimeException ex) {
            state.log().log(System.Logger.Level.ERROR, state.name() + ": release failed: " + ex, ex);
        }
    }

    /** Tells an open client that its peer changed; call on its loop. A backend that throws is logged. */
    private static void peerChanged(NetClientState state) {
        NetClient client = state.client();
        if (client == null) {
            return;
        }
        try {
            client.peerChanged();
        } catch (RuntimeException ex) {
            state.log().log(System.Logger.Level.ERROR, state.name() + ": peerChanged failed: " + ex, ex);
        }
    }

    /** Closes a filter on its netdev's loop and releases it here; the entry stays. */
    private void closeFilter(FilterEntry f) {
        quietly(f.state.netdev().loop(), () -> {
            f.state.close();
            return null;
        });
        release(f);
    }

    /** The blocking half of closing a filter, after its loop closed it. */
    private static void release(FilterEntry f) {
        NetFilter closed = f.instance;
        f.instance = null;
        if (closed == null) {
            return;
        }
        try {
            closed.release();
        } catch (RuntimeException ex) {
            f.state.netdev().log().log(System.Logger.Level.ERROR, f.state.id() + ": release failed: " + ex, ex);
        }
    }

    @SuppressWarnings("unchecked")
    private void openFilter(FilterEntry f, NetFilterDriver<?> driver) throws NetException {
        Object options = binder.bind(driver.optionsType(), f.options);
        NetFilterState state = f.state;
        EventLoop loop = state.netdev().loop();
        f.instance = onLoop(loop, () -> {
            ClientLoop filterLoop = new ClientLoop(loop, state.netdev().log());
            try {
                NetFilter filter = ((NetFilterDriver<Object>) driver).open(options, new FilterContext(state, filterLoop, events));
                if (filter == null) {
                    throw NetException.generic("Device '%s' could not be initialized", state.type());
                }
                state.open(filter, filterLoop);
                return filter;
            } catch (NetException | RuntimeException ex) {
                filterLoop.close();
                throw ex;
            }
        });
        f.error = null;
    }

    private void reopenFilter(FilterEntry f, NetFilterDriver<?> driver) {
        try {
            openFilter(f, driver);
        } catch (NetException ex) {
            f.error = ex.getMessage();
            log.log(System.Logger.Level.ERROR, "filter " + f.state.id() + ": " + ex.getMessage());
        }
    }

    /** Runs a control step on a loop, turning failures into QEMU-style errors. */
    private <T> T onLoop(EventLoop loop, Callable<T> step) throws NetException {
        try {
            return loop.call(step);
        } catch (NetException e) {
            throw e;
        } catch (TimeoutException e) {
            throw NetException.generic("%s", e.getMessage());
        } catch (Exception e) {
            log.log(System.Logger.Level.ERROR, "control operation failed: " + e, e);
            throw NetException.generic("internal error: %s", e);
        }
    }

    /** @return what the step returned, or null when it failed (logged) */
    private <T> T quietly(EventLoop loop, Callable<T> step) {
        try {
            return onLoop(loop, step);
        } catch (NetException e) {
            log.log(System.Logger.Level.ERROR, e.getMessage());
            return null;
        }
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

    // ---- queries -------------------------------------------------------------------------------

    private NetClientDTO describe(ClientEntry e) {
        NetClientState s = e.state;
        try {
            return s.loop().call(() -> {
                NetClientState peer = s.peer();
                HubPort port = s.hubPort();
                List<FilterDTO> chain = new ArrayList<>();
                for (NetFilterState f : s.filters()) {
                    FilterEntry fe = filters.get(f.id());
                    chain.add(new FilterDTO(f.id(), f.type(), s.name(), f.queue().qapiName(), f.isOn() ? "on" : "off",
                            f.isOpen() ? "active" : fe != null && fe.error != null ? "failed" : "pending",
                            fe == null ? null : fe.error, f.info(), fe == null ? Map.of() : Map.copyOf(fe.options),
                            f.countersSnapshot()));
                }
                String state = s.client() != null ? "active" : e.error != null ? "failed" : "pending";
                return new NetClientDTO(s.name(), s.type(), s.kind().label(), state, e.error, s.info(),
                        peer == null ? null : peer.name(), port == null ? null : port.hub().id(), s.isLinkUp(),
                        Map.copyOf(e.options), s.countersSnapshot(), chain);
            });
        } catch (Exception ex) {
            return new NetClientDTO(s.name(), s.type(), s.kind().label(), "unknown", ex.toString(), null, null, null,
                    s.isLinkUp(), Map.copyOf(e.options), null, List.of());
        }
    }

    private ClientEntry lookup(String name) throws NetException {
        ClientEntry e = netdevs.get(name);
        if (e == null) {
            e = nics.get(name);
        }
        if (e == null) {
            throw new NetException(net.api.ErrorClass.DeviceNotFound, "Device '" + name + "' not found");
        }
        return e;
    }

    private List<ClientEntry> all() {
        List<ClientEntry> list = new ArrayList<>(netdevs.values());
        list.addAll(nics.values());
        return list;
    }

    private static List<ClientEntry> instances(Collection<ClientEntry> entries, String type) {
        return entries.stream().filter(e -> e.state.type().equals(type)).toList();
    }

    private List<FilterEntry> filterInstances(String type) {
        return filters.values().stream().filter(f -> f.state.type().equals(type)).toList();
    }

    private String portName(Hub hub, HubPort port) {
        for (ClientEntry e : netdevs.values()) {
            if (e.state.hubPort() == port) {
                return e.state.name();
            }
        }
        return "hub" + hub.id() + "port?";
    }

    // ---- argument helpers ----------------------------------------------------------------------

    private Hub hub(int id) {
        return hubs.computeIfAbsent(id, h -> new Hub(h, loops));
    }

    private String nextPortName(Hub hub) {
        int k = hubPortCounters.merge(hub.id(), 1, Integer::sum) - 1;
        return "hub" + hub.id() + "port" + k;
    }

    private static String autoName(String model, Collection<String> taken) {
        int n = 0;
        while (taken.contains(model + "." + n)) {
            n++;
        }
        return model + "." + n;
    }

    private static boolean isBackendTypeName(String type) {
        // "nic" and "none" are -net pseudo types, never netdev backends.
        return !type.isEmpty() && !"nic".equals(type) && !"none".equals(type) && !HUBPORT.equals(type);
    }

    private static String requireType(Section section, Map<String, Object> args) throws NetException {
        String type = string(args, section.typeKey());
        if (type == null) {
            throw NetException.generic("Parameter '%s' is missing", section.typeKey());
        }
        return type;
    }

    private static String requireId(Map<String, Object> args) throws NetException {
        Object id = args.remove("id");
        if (id == null) {
            throw NetException.generic("Parameter 'id' is missing");
        }
        return Ids.check(String.valueOf(id));
    }

    private static String string(Map<String, Object> args, String key) throws NetException {
        Object v = args.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            throw NetException.generic("Invalid parameter type for '%s', expected: string", key);
        }
        return String.valueOf(v);
    }

    private static int intArgument(Object value, String name, int defaultValue) throws NetException {
        if (value == null) {
            return defaultValue;
        }
        try {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw NetException.generic("Parameter '%s' expects an int64 value or range", name);
        }
    }

    private static NetFilterDirection direction(Object value) throws NetException {
        if (value == null) {
            return NetFilterDirection.ALL;
        }
        for (NetFilterDirection d : NetFilterDirection.values()) {
            if (d.qapiName().equals(String.valueOf(value))) {
                return d;
            }
        }
        throw NetException.generic("Invalid parameter '%s'", value);
    }

    private static boolean status(Object value) throws NetException {
        if (value == null || "on".equals(String.valueOf(value)) || Boolean.TRUE.equals(value)) {
            return true;
        }
        if ("off".equals(String.valueOf(value)) || Boolean.FALSE.equals(value)) {
            return false;
        }
        throw NetException.generic("Invalid value for netfilter status, should be 'on' or 'off'");
    }

    private static boolean insertBefore(Object value) throws NetException {
        if (value == null || "behind".equals(String.valueOf(value))) {
            return false;
        }
        if ("before".equals(String.valueOf(value))) {
            return true;
        }
        throw NetException.generic("Invalid value for netfilter insert, should be 'before' or 'behind'");
    }

    private int insertionIndex(NetFilterState[] chain, String position, boolean before, NetClientState netdev)
            throws NetException {
        switch (position.toLowerCase(Locale.ROOT)) {
            case "head" -> {
                return 0;
            }
            case "tail" -> {
                return chain.length;
            }
            default -> {
                if (!position.startsWith("id=")) {
                    throw NetException.generic("Parameter 'position' expects 'head', 'tail' or 'id=<id>'");
                }
                String other = position.substring(3);
                FilterEntry f = filters.get(other);
                if (f == null) {
                    throw NetException.generic("filter '%s' not found", other);
                }
                if (f.state.netdev() != netdev) {
                    throw NetException.generic("filter '%s' belongs to a different netdev", other);
                }
                for (int i = 0; i < chain.length; i++) {
                    if (chain[i] == f.state) {
                        return before ? i : i + 1;
                    }
                }
                return chain.length;
            }
        }
    }

    private static NetFilterState[] without(NetFilterState[] chain, NetFilterState gone) {
        return java.util.Arrays.stream(chain).filter(f -> f != gone).toArray(NetFilterState[]::new);
    }

    private static String typeOf(Map<String, Object> properties, String key) {
        Object type = properties.get(key);
        if (type instanceof String[] many && many.length > 0) {
            return many[0];
        }
        return type == null ? null : String.valueOf(type);
    }

    private static <D> DriverTable.Entry<D> entry(D driver, String type) {
        Bundle bundle = FrameworkUtil.getBundle(driver.getClass());
        return new DriverTable.Entry<>(driver, type, bundle == null ? "(class path)" : bundle.getSymbolicName(),
                bundle == null ? "" : bundle.getVersion().toString());
    }
}
