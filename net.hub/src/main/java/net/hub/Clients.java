package net.hub;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NicModel;
import net.control.NetdevTypes;
import net.control.Section;
import net.hub.data.ClientContext;
import net.hub.data.Hub;
import net.hub.data.HubPort;
import net.hub.data.MacAddress;
import net.hub.data.NetClientState;
import net.hub.data.NetClientState.Kind;
import net.hub.loop.ClientLoop;
import net.hub.loop.EventLoop;
import net.hub.loop.EventLoopGroup;

/**
 * Netdevs, hubports and NICs: QEMU's rules for adding, changing and deleting them, and for
 * following their drivers as they come and go. Each operation claims the entries it changes (see
 * {@link Topology}), so no lock is held while a driver opens or releases.
 */
final class Clients {

    /** The one netdev type the runtime implements itself. */
    static final String HUBPORT = "hubport";
    /** The type listed for a netdev file without one. */
    static final String NO_TYPE = "-";
    /** Sent when a netdev or NIC that exists fails because of its driver: {@code {"id", "reason"}}. */
    static final String FAILED_EVENT = "X_NETDEV_FAILED";
    /** Where QEMU puts the devices made with an id. */
    private static final String PERIPHERAL = "/machine/peripheral/";
    /** What QEMU says of an unknown {@code -nic}/{@code -net nic} model (a {@code -device}'s text differs). */
    private static final String UNSUPPORTED_MODEL = "Unsupported NIC model: %s";

    /** What a new netdev may wait for. */
    enum Mode {
        /** {@code netdev_add}: nothing; its driver and the netdev it names must be there. */
        ADD,
        /** The command line: its driver, not a netdev it names (QEMU's order of options). */
        DECLARE,
        /** A file: its driver and a netdev it names, as files are taken up in no particular order. */
        AWAIT_REFERENCES;

        boolean declared() {
            return this != ADD;
        }
    }

    private final Topology topology;
    private final DriverRegistry drivers;
    private final ClientLifecycle lifecycle;
    private final FilterObjects filters;
    private final EventLoopGroup loops;
    private final OptionBinder binder;
    private final Function<String, System.Logger> loggers;
    private final ClientContext.EventSink events;
    private final System.Logger log;
    /** QEMU numbers the devices made without an id from 0 and never reuses a number. */
    private final AtomicInteger anonymousDevices = new AtomicInteger();
    /** QEMU's counter of the ids it makes up for netdevs ({@code #net} + counter + two random digits). */
    private final AtomicInteger generatedIds = new AtomicInteger();
    private static final Random RANDOM = new Random();

    Clients(Topology topology, DriverRegistry drivers, ClientLifecycle lifecycle, FilterObjects filters,
            EventLoopGroup loops, OptionBinder binder, Function<String, System.Logger> loggers,
            ClientContext.EventSink events, System.Logger log) {
        this.topology = topology;
        this.drivers = drivers;
        this.lifecycle = lifecycle;
        this.filters = filters;
        this.loops = loops;
        this.binder = binder;
        this.loggers = loggers;
        this.events = events;
        this.log = log;
    }

    // ---- adding ------------------------------------------------------------------------------------

    /** {@code -netdev TYPE,id=ID,...}, {@code netdev_add}, a file; {@code mode} says what it may wait for. */
    String addNetdev(String type, Map<String, Object> args, Mode mode) throws NetException {
        return addNetdev(QapiArguments.requireId(args), type, args, mode);
    }

    /** A netdev whose id is checked already, or generated ({@code -nic}). */
    private String addNetdev(String id, String type, Map<String, Object> args, Mode mode) throws NetException {
        if (HUBPORT.equals(type)) {
            addHubport(id, args, mode == Mode.AWAIT_REFERENCES);
        } else {
            addBackend(id, type, args, mode);
        }
        joinAwaitingPorts(id);
        return id;
    }

    /**
     * A backend netdev. One from a file ({@link Mode#AWAIT_REFERENCES}) whose driver refuses it
     * stays, failed with the driver's reason, as one whose driver fails later does: the file still
     * declares it, and a change to the file opens it again.
     */
    private void addBackend(String id, String type, Map<String, Object> args, Mode mode) throws NetException {
        boolean declare = mode.declared();
        if (drivers.current(drivers.netdevs, type) == null && (!declare || !QapiArguments.isBackendTypeName(type))) {
            throw NetdevTypes.missing(type);
        }
        ClientEntry e = newEntry(id, type, Kind.NETDEV, loops.next(), Section.NETDEV, true, args);
        try (Topology.Claim claim = topology.claim()) {
            topology.add(e, claim);
            NetClientDriver<?> driver;
            try {
                driver = openOrPend(e, declare, () -> NetdevTypes.missing(type));
            } catch (NetException ex) {
                if (mode != Mode.AWAIT_REFERENCES || e.error == null) {
                    topology.remove(e);
                    throw ex;
                }
                log.log(System.Logger.Level.ERROR, "netdev " + id + " (" + type + ") failed: " + e.error);
                failed(e);
                return;
            }
            log.log(System.Logger.Level.INFO, "netdev " + id + " (" + type + ") "
                    + (driver == null ? "pending: no driver yet" : "up"));
        }
    }

    /**
     * Opens a registered netdev with the driver of its type in use now; without one a declared
     * netdev stays pending. Looked up once registered: a driver that leaves from then on finds the
     * entry and closes it.
     *
     * @return the driver that opened it, or null
     */
    private NetClientDriver<?> openOrPend(ClientEntry e, boolean declare, Supplier<NetException> unknown)
            throws NetException {
        NetClientDriver<?> driver = drivers.current(drivers.netdevs, e.state.type());
        if (driver != null) {
            lifecycle.open(e, driver);
        } else if (!declare) {
            throw unknown.get();
        }
        return driver;
    }

    private void addHubport(String id, Map<String, Object> given, boolean awaitNetdev) throws NetException {
        HubPortOptions options;
        try {
            options = binder.bind(HubPortOptions.class, given, false);
        } catch (NetException ex) {
            if (!awaitNetdev) {
                throw ex;
            }
            addFailedPort(id, given, ex.getMessage());
            return;
        }
        Map<String, Object> args = binder.typed(HubPortOptions.class, given);
        ClientEntry target = null;
        if (options.netdev() != null) {
            target = topology.netdev(options.netdev());
            if (target == null && awaitNetdev) {
                addAwaitingPort(id, options.netdev(), args);
                return;
            }
            if (target == null) {
                throw NetException.generic("netdev '%s' not found", options.netdev());
            }
        }
        try (Topology.Claim claim = target == null ? topology.claim() : topology.claim(target)) {
            if (target != null && !topology.contains(target)) {
                throw NetException.generic("netdev '%s' not found", options.netdev());
            }
            addPort(id, topology.hub(options.hubid()), target, true, args, claim);
        }
    }

    /**
     * A hubport from a file whose options are refused: listed failed with the reason, on no hub,
     * until the file changes, as a backend its driver refuses is.
     */
    private void addFailedPort(String id, Map<String, Object> args, String reason) throws NetException {
        addFailed(newEntry(id, HUBPORT, Kind.HUBPORT, loops.next(), Section.NETDEV, true, args), reason);
    }

    /**
     * A netdev file the runtime keeps nothing of (no id, a refused or taken one, no type): listed
     * under the file's name, failed with QEMU's words, and never opened (it is no netdev anyone
     * could name), until the file changes.
     */
    void addRefused(String name, String type, Map<String, Object> args, String reason) throws NetException {
        ClientEntry e = newEntry(name, type, HUBPORT.equals(type) ? Kind.HUBPORT : Kind.NETDEV, loops.next(),
                Section.NETDEV, true, args);
        e.refused = true;
        addFailed(e, reason);
    }

    private void addFailed(ClientEntry e, String reason) throws NetException {
        e.error = reason;
        try (Topology.Claim claim = topology.claim()) {
            topology.add(e, claim);
        }
        log.log(System.Logger.Level.ERROR, "netdev " + e.name() + " (" + e.state.type() + ") failed: " + reason);
        failed(e);
    }

    /**
     * A hubport whose netdev is not there yet: registered pending, on no hub, as a netdev whose
     * driver is missing is, until {@link #joinAwaitingPorts} finds its netdev added.
     */
    private void addAwaitingPort(String id, String netdev, Map<String, Object> args) throws NetException {
        ClientEntry e = newEntry(id, HUBPORT, Kind.HUBPORT, loops.next(), Section.NETDEV, true, args);
        e.awaiting = netdev;
        try (Topology.Claim claim = topology.claim()) {
            topology.add(e, claim);
        }
        log.log(System.Logger.Level.INFO, "netdev " + id + " (hubport) pending: waiting for netdev " + netdev);
        // Added while this port registered, its own look for waiting ports may have missed this one.
        if (topology.netdev(netdev) != null) {
            joinAwaitingPorts(netdev);
        }
    }

    /**
     * The ports waiting for a netdev of this name take their place on their hubs, peered with it.
     * A port that cannot (the netdev has a peer already) stays, failed with QEMU's reason.
     */
    private void joinAwaitingPorts(String netdev) {
        for (ClientEntry waiting : topology.awaiting(netdev)) {
            ClientEntry target = topology.netdev(netdev);
            if (target == null) {
                return; // deleted again meanwhile; the ports wait on
            }
            try (Topology.Claim claim = topology.claim(waiting, target)) {
                if (!topology.contains(waiting) || !topology.contains(target) || waiting.awaiting == null) {
                    continue;
                }
                HubPortOptions options = binder.bind(HubPortOptions.class, waiting.options, false);
                topology.remove(waiting);
                try {
                    addPort(waiting.name(), topology.hub(options.hubid()), target, true, waiting.options, claim);
                    log.log(System.Logger.Level.INFO, "netdev " + waiting.name() + " (hubport) up: netdev "
                            + netdev + " is there");
                } catch (NetException ex) {
                    waiting.awaiting = null;
                    waiting.error = ex.getMessage();
                    topology.add(waiting, claim);
                    log.log(System.Logger.Level.ERROR, waiting + ": " + ex.getMessage());
                }
            } catch (NetException ex) {
                log.log(System.Logger.Level.ERROR, waiting + ": " + ex.getMessage());
            }
        }
    }

    /** A port on a hub, peered with {@code target} (claimed by the caller) when there is one. */
    private ClientEntry addPort(String name, Hub hub, ClientEntry target, boolean deletable, Map<String, Object> options,
            Topology.Claim claim) throws NetException {
        EventLoop loop = target != null ? target.state.loop() : loops.next();
        ClientEntry e = newEntry(name, HUBPORT, Kind.HUBPORT, loop, Section.NETDEV, deletable, options);
        topology.add(e, claim);
        NetClientState port = e.state;
        try {
            lifecycle.onLoop(loop, () -> {
                if (target != null && target.state.peer() != null) {
                    throw NetException.generic("netdev '%s' is already in use", target.name());
                }
                HubPort hubPort = hub.addPort(port);
                port.open(hubPort, new ClientLoop(loop, port.log()), null);
                if (target != null) {
                    port.peer(target.state);
                    target.state.peer(port);
                    ClientLifecycle.peerChanged(port);
                    ClientLifecycle.peerChanged(target.state);
                }
                hub.flushOthers(port); // frames the other ports queued while the hub could not take them
                return null;
            });
        } catch (NetException ex) {
            topology.remove(e);
            throw ex;
        }
        return e;
    }

    /** Legacy {@code -net TYPE,...}: a backend, or a NIC, joined to hub {@code vlan} (0 by default). */
    String addLegacy(String type, Map<String, Object> args, boolean declare) throws NetException {
        int vlan = QapiArguments.intArgument(args.remove("vlan"), "vlan", 0);
        Object id = args.remove("id");
        if (args.containsKey("name")) {
            throw NetException.generic("Invalid parameter 'name'"); // gone from -net by QEMU 7.2
        }
        if ("none".equals(type)) {
            return null; // -net none: no network, nothing to name
        }
        if (HUBPORT.equals(type)) {
            throw NetException.generic("network backend 'hubport' is only supported with -netdev/-nic");
        }
        if (!QapiArguments.isBackendTypeName(type) && !"nic".equals(type)) {
            throw NetdevTypes.missing(type);
        }
        Hub hub = topology.hub(vlan);
        if ("nic".equals(type)) {
            return addLegacyNic(hub, args, declare);
        }
        if (drivers.current(drivers.netdevs, type) == null && !declare) {
            throw NetdevTypes.missing(type);
        }
        String netdevName = id != null ? Ids.check(String.valueOf(id)) : generatedId();
        ClientEntry e = newEntry(netdevName, type, Kind.NETDEV, loops.next(), Section.NET, false, args);
        try (Topology.Claim claim = topology.claim()) {
            topology.add(e, claim);
            ClientEntry port;
            try {
                // Joined before it opens, so the backend can ask which hub it is on (a dump names its file after it).
                port = addPort(topology.nextPortName(hub), hub, e, false, new LinkedHashMap<>(), claim);
            } catch (NetException ex) {
                topology.remove(e);
                throw ex;
            }
            try {
                openOrPend(e, declare, () -> NetdevTypes.missing(type));
            } catch (NetException ex) {
                discard(port);
                topology.remove(e);
                throw ex;
            }
        }
        joinAwaitingPorts(netdevName);
        return netdevName;
    }

    /**
     * Legacy {@code -net nic,model=M,...}: a NIC on a new port of the hub, or plugged into
     * {@code netdev=} as QEMU does. QEMU names it after its model (its {@code id} names only the
     * option) and gives {@code macaddr=} to the device as its {@code mac}; PCI's {@code addr} and
     * {@code vectors} mean nothing here. Other options go to the model.
     */
    private String addLegacyNic(Hub hub, Map<String, Object> args, boolean declare) throws NetException {
        Object netdev = args.remove("netdev");
        if (netdev != null && topology.netdev(String.valueOf(netdev)) == null) {
            throw NetException.generic("netdev '%s' not found", netdev);
        }
        if (args.containsKey("mac")) {
            throw NetException.generic("Invalid parameter 'mac'"); // -net nic's is macaddr
        }
        Map<String, Object> nic = nicMac(args.remove("macaddr"),
                "NIC cannot have multicast MAC address (odd 1st byte)");
        String model = QapiArguments.string(args, "model");
        args.remove("model");
        if (model == null) {
            throw NetException.generic("Parameter 'model' is missing");
        }
        requireModel(model, declare, UNSUPPORTED_MODEL);
        args.remove("addr");
        args.remove("vectors");
        nic.putAll(args);
        if (netdev != null) {
            nic.put("netdev", netdev);
            return addNic(model, nic, declare);
        }
        try (Topology.Claim claim = topology.claim()) {
            ClientEntry port = addPort(topology.nextPortName(hub), hub, null, false, new LinkedHashMap<>(), claim);
            nic.put("netdev", port.name());
            try {
                return addNic(model, nic, declare, claim);
            } catch (NetException e) {
                discard(port); // nothing is left behind
                throw e;
            }
        }
    }

    /**
     * {@code -nic TYPE,...}: the netdev of its options (named by {@code id}, else by QEMU's
     * generated {@code #netNRR}) and a NIC of {@code model} plugged into it, which gets {@code mac}
     * as in QEMU, and the options only the model has ({@link #modelProperties}). Patchbay has no
     * default model: {@code model} is required.
     *
     * @return the netdev's id, or null for {@code -nic none}
     */
    String addNicAndNetdev(String type, Map<String, Object> args, boolean declare) throws NetException {
        if ("none".equals(type)) {
            return null; // -nic none: no default NIC, which Patchbay never makes anyway
        }
        Object model = args.remove("model");
        Map<String, Object> nic = nicMac(args.remove("mac"), "NIC cannot have multicast MAC address");
        if (model == null) {
            throw NetException.generic("Parameter 'model' is missing");
        }
        requireModel(String.valueOf(model), declare, UNSUPPORTED_MODEL); // before a netdev is made for it
        Object idArg = args.remove("id");
        nic.putAll(modelProperties(String.valueOf(model), type, args));
        String id = idArg != null ? Ids.check(String.valueOf(idArg)) : generatedId();
        addNetdev(id, type, args, declare ? Mode.DECLARE : Mode.ADD);
        nic.put("netdev", id);
        try {
            addNic(String.valueOf(model), nic, declare);
        } catch (NetException e) {
            lifecycle.quietly(() -> {
                netdevDel(id); // nothing is left behind
                return null;
            });
            throw e;
        }
        return id;
    }

    /**
     * Takes out of a {@code -nic}'s options those that are the model's and not the netdev's, such
     * as a responder's {@code ip}: QEMU's on-board models have no property but {@code mac}, so its
     * {@code -nic} gives every other option to the netdev.
     */
    private Map<String, Object> modelProperties(String model, String type, Map<String, Object> args) {
        Map<String, Object> taken = new LinkedHashMap<>();
        NicModel<?> nicModel = drivers.current(drivers.nics, model);
        if (nicModel == null) {
            return taken; // a declared NIC whose model is absent: nothing tells the two apart
        }
        NetClientDriver<?> driver = drivers.current(drivers.netdevs, type);
        Set<String> netdevs = HUBPORT.equals(type) ? OptionBinder.propertyNames(HubPortOptions.class)
                : driver == null ? Set.of() : OptionBinder.propertyNames(driver.optionsType());
        for (String name : OptionBinder.propertyNames(nicModel.optionsType())) {
            if (args.containsKey(name) && !netdevs.contains(name)) {
                taken.put(name, args.remove(name));
            }
        }
        return taken;
    }

    /**
     * @param mac       a MAC as {@code -nic} or {@code -net nic} takes it, or null
     * @param multicast QEMU's error for a multicast one, which each option words its own way
     * @return the NIC's properties so far: its {@code mac}, as a device takes it, if given
     */
    private static Map<String, Object> nicMac(Object mac, String multicast) throws NetException {
        Map<String, Object> nic = new LinkedHashMap<>();
        if (mac != null) {
            byte[] bytes = MacAddress.parse(String.valueOf(mac));
            if (bytes == null) {
                throw NetException.generic("invalid syntax for ethernet address");
            }
            if (MacAddress.isMulticast(bytes)) {
                throw NetException.generic("%s", multicast);
            }
            nic.put("mac", MacAddress.format(bytes));
        }
        return nic;
    }

    /** {@code -device MODEL,...}, {@code device_add}: an in-process NIC, plugged into {@code netdev=} if given. */
    String addNic(String model, Map<String, Object> args, boolean declare) throws NetException {
        try (Topology.Claim claim = topology.claim()) {
            return addNic(model, args, declare, claim);
        }
    }

    private String addNic(String model, Map<String, Object> args, boolean declare, Topology.Claim claim)
            throws NetException {
        // QEMU looks the model up first, then names the device, then sets its properties.
        requireModel(model, declare, "'%s' is not a valid device model name");
        Object idArg = args.remove("id");
        String id = idArg == null ? topology.autoNicName(model) : Ids.check(String.valueOf(idArg));
        if (topology.nic(id) != null) {
            throw NetException.generic("Duplicate ID '%s' for device", id);
        }
        // A number is used up once the device is named, even if a property then fails (QEMU's counter).
        String path = idArg != null ? PERIPHERAL + id
                : NetClientState.ANONYMOUS_DEVICES + "device[" + anonymousDevices.getAndIncrement() + "]";
        Object netdevArg = args.remove("netdev");
        ClientEntry target = null;
        if (netdevArg != null) {
            target = topology.netdev(String.valueOf(netdevArg));
            if (target != null) {
                claim.add(target);
            }
            if (target == null || !topology.contains(target)) {
                throw NetException.generic("Property '%s.netdev' can't find value '%s'", model, netdevArg);
            }
            requireFree(target, model);
        }
        EventLoop loop = target != null ? target.state.loop() : loops.next();
        ClientEntry e = newEntry(id, model, Kind.NIC, loop, Section.DEVICE, true, args);
        e.state.devicePath(path);
        topology.add(e, claim);
        NicModel<?> driver = drivers.current(drivers.nics, model);
        ClientEntry peer = target;
        try {
            if (driver != null) {
                lifecycle.open(e, driver);
            }
            if (peer != null) {
                lifecycle.onLoop(loop, () -> {
                    e.state.peer(peer.state);
                    peer.state.peer(e.state);
                    ClientLifecycle.peerChanged(e.state);
                    ClientLifecycle.peerChanged(peer.state);
                    return null;
                });
            }
        } catch (NetException ex) {
            lifecycle.closeAndRelease(e); // nothing is left open
            topology.remove(e);
            throw ex;
        }
        return id;
    }

    /**
     * Refuses a model no bundle provides now, unless the NIC is declared (it then waits for one).
     *
     * @param error QEMU's words, which differ between {@code -device} and {@code -nic}/{@code -net nic}
     */
    private void requireModel(String model, boolean declare, String error) throws NetException {
        if (drivers.current(drivers.nics, model) == null && !declare) {
            throw NetException.generic(error, model);
        }
    }

    /**
     * @return an id as QEMU 7.2 makes one up for a {@code -nic} or {@code -net} netdev without one:
     *         {@code #net}, a counter and two random digits (no user id can start with {@code #})
     */
    private String generatedId() {
        return "#net" + generatedIds.getAndIncrement() + String.format("%02d", RANDOM.nextInt(100));
    }

    /** Refuses a NIC's netdev that has a peer already; it is claimed, so it stays free. */
    private void requireFree(ClientEntry target, String model) throws NetException {
        boolean inUse = lifecycle.onLoop(target.state.loop(), () -> target.state.peer() != null);
        if (inUse) {
            throw NetException.generic("Property '%s.netdev' can't take value '%s', it's in use", model, target.name());
        }
    }

    private ClientEntry newEntry(String name, String type, Kind kind, EventLoop loop, Section section,
            boolean deletable, Map<String, Object> options) {
        String logName = (kind == Kind.NIC ? "device " : "netdev ") + name;
        ClientEntry e = new ClientEntry(new NetClientState(name, type, kind, loop, loggers.apply(logName)), section,
                deletable, options);
        // On the loop, which must not wait for the claim: failing the entry is a control operation.
        e.state.onFailure((state, broken, reason) -> Thread.ofVirtual().name("patchbay-fail-" + name)
                .start(() -> fail(e, broken, reason)));
        e.state.onLinkChange(topology::changed); // set_link, or a backend's own setLinkUp
        return e;
    }

    // ---- failing -----------------------------------------------------------------------------------

    /**
     * A backend broke on the data path: it is closed and released, and the entry stays failed with
     * the reason (the driver's log line already said what happened), so the hub and the other
     * netdevs go on without it. A netdev deleted or reopened meanwhile is left alone.
     */
    private void fail(ClientEntry e, Object broken, String reason) {
        try (Topology.Claim claim = topology.claim(e)) {
            if (!topology.contains(e) || e.state.client() != broken) {
                return;
            }
            lifecycle.closeAndRelease(e);
            e.error = reason;
        } catch (NetException ex) {
            log.log(System.Logger.Level.ERROR, e + ": " + ex.getMessage());
            return;
        }
        failed(e);
    }

    /** Patchbay's event for an entry whose driver failed it ({@code net:netdevs} shows why). */
    private void failed(ClientEntry e) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", e.name());
        data.put("reason", e.error);
        events.emit(FAILED_EVENT, data);
    }

    // ---- deleting ----------------------------------------------------------------------------------

    /** {@code netdev_del}: its filters go, its peer is detached, what it queued is purged. */
    void netdevDel(String id) throws NetException {
        ClientEntry e = topology.netdev(id);
        if (e == null) {
            throw Topology.notFound(id);
        }
        if (!e.deletable) {
            throw NetException.generic("Device '%s' is not a netdev", id);
        }
        try (Topology.Claim claim = topology.claim(e)) {
            if (!topology.contains(e)) {
                throw Topology.notFound(id);
            }
            filters.deleteAll(e, claim);
            lifecycle.delete(e);
            topology.remove(e);
        }
        log.log(System.Logger.Level.INFO, "netdev " + id + " deleted");
    }

    /**
     * {@code device_del ID} or {@code device_del PATH}: once the NIC is gone, QEMU's
     * {@code DEVICE_DELETED} tells every front end.
     */
    void deviceDel(String id) throws NetException {
        ClientEntry e = id.startsWith("/") ? topology.nicAt(id) : topology.nic(id);
        if (e == null || e.state.anonymous() && !id.startsWith("/")) {
            throw Topology.notFound(id);
        }
        try (Topology.Claim claim = topology.claim(e)) {
            if (!topology.contains(e)) {
                throw Topology.notFound(id);
            }
            lifecycle.delete(e);
            topology.remove(e);
        }
        events.emit("DEVICE_DELETED", ClientContext.deviceEvent(e.state, "device"));
    }

    /** Undoes an automatic hub port when what it was made for could not be added. */
    private void discard(ClientEntry port) {
        lifecycle.quietly(() -> {
            lifecycle.delete(port);
            return null;
        });
        topology.remove(port);
    }

    // ---- changing ----------------------------------------------------------------------------------

    /**
     * Replaces a netdev's or NIC's options, type included, and reopens it in place: peer, hub
     * port and filters stay. A hubport is made afresh, as its hub and peer are its options.
     */
    void update(Section section, String type, String id, Map<String, Object> arguments) throws NetException {
        ClientEntry e = section == Section.NETDEV ? topology.netdev(id) : topology.nic(id);
        if (e == null) {
            throw Topology.notFound(id);
        }
        if (e.state.kind() == Kind.HUBPORT || HUBPORT.equals(type)) {
            Map<String, Object> args = new LinkedHashMap<>(arguments);
            args.remove(section.typeKey());
            netdevDel(id);
            addNetdev(type, args, Mode.AWAIT_REFERENCES);
            return;
        }
        if (section == Section.NETDEV && !QapiArguments.isBackendTypeName(type)) {
            throw NetdevTypes.missing(type);
        }
        Map<String, Object> options = new LinkedHashMap<>(arguments);
        options.remove(section.typeKey());
        options.remove("id");
        if (section == Section.DEVICE) {
            options.remove("netdev"); // a NIC stays plugged where it is
        }
        try (Topology.Claim claim = topology.claim(e)) {
            if (!topology.contains(e)) {
                throw Topology.notFound(id);
            }
            if (e.openedBy != null) {
                lifecycle.closeAndRelease(e);
                log.log(System.Logger.Level.INFO, e + " pending: options changed");
            }
            e.options = options;
            e.error = null;
            e.state.type(type);
            Object driver = section == Section.NETDEV ? drivers.current(drivers.netdevs, type)
                    : drivers.current(drivers.nics, type);
            if (driver != null) {
                lifecycle.open(e, driver);
            }
        }
    }

    // ---- following drivers -------------------------------------------------------------------------

    /** A netdev driver or NIC model registered: if it is now the one in use, its pending entries open. */
    <D> void driverArrived(DriverTable<D> table, D driver, String type) {
        if (type == null || !drivers.arrived(table, driver, type)) {
            return;
        }
        for (ClientEntry e : instances(table, type)) {
            follow(e, type, null, driver);
        }
    }

    /** The driver in use left: its entries close and wait, or move to the next driver of the type. */
    <D> void driverLeft(DriverTable<D> table, D driver, String type) {
        if (type == null || !drivers.left(table, driver, type)) {
            return;
        }
        D next = drivers.current(table, type);
        for (ClientEntry e : instances(table, type)) {
            follow(e, type, driver, next);
        }
    }

    private List<ClientEntry> instances(DriverTable<?> table, String type) {
        return table == drivers.nics ? topology.nicsOfModel(type) : topology.netdevsOfType(type);
    }

    /** Closes what {@code gone} opened in the entry, then opens it with {@code next} if it is not open. */
    private void follow(ClientEntry e, String type, Object gone, Object next) {
        try (Topology.Claim claim = topology.claim(e)) {
            if (!topology.contains(e) || !e.state.type().equals(type) || e.refused) {
                return; // deleted or changed while we waited for it, or no netdev to open
            }
            if (gone != null && e.openedBy == gone) {
                lifecycle.closeAndRelease(e);
                log.log(System.Logger.Level.INFO, e + " pending: its driver went away");
            }
            if (next != null && e.openedBy == null) {
                lifecycle.open(e, next);
                log.log(System.Logger.Level.INFO, e + " up (" + type + ")");
            }
        } catch (NetException ex) {
            if (ex.getCause() == null) { // a driver that threw was logged with its exception already
                log.log(System.Logger.Level.ERROR, e + ": " + ex.getMessage());
            }
            if (e.error != null) {
                failed(e);
            }
        }
    }
}
