package net.hub;

import java.util.LinkedHashMap;
import java.util.Map;
import net.api.NetException;
import net.api.NetFilterDirection;
import net.api.NetFilterDriver;
import net.hub.data.NetFilterState;

/**
 * Filter objects ({@code -object filter-*}, {@code object-add}): QEMU's rules for adding, changing
 * and deleting them in their netdev's chain, and for following their drivers.
 */
final class FilterObjects {

    private final Topology topology;
    private final DriverRegistry drivers;
    private final ClientLifecycle lifecycle;
    private final System.Logger log;

    FilterObjects(Topology topology, DriverRegistry drivers, ClientLifecycle lifecycle, System.Logger log) {
        this.topology = topology;
        this.drivers = drivers;
        this.lifecycle = lifecycle;
        this.log = log;
    }

    /** {@code -object TYPE,id=ID,netdev=N,...}; with {@code declare} it may wait for its driver. */
    String add(String type, Map<String, Object> args, boolean declare) throws NetException {
        String id = QapiArguments.requireId(args);
        if (topology.filter(id) != null) {
            throw duplicate(id);
        }
        Object netdevId = args.remove("netdev");
        if (netdevId == null) {
            throw NetException.generic("Parameter 'netdev' is missing");
        }
        ClientEntry netdev = topology.netdev(String.valueOf(netdevId));
        if (netdev == null) {
            throw NetException.generic("Parameter 'netdev' expects a network backend id");
        }
        NetFilterDirection queue = QapiArguments.direction(args.remove("queue"));
        boolean on = QapiArguments.status(args.remove("status"));
        FilterPlacement place = FilterPlacement.take(args);
        FilterEntry anchor = null;
        if (place.anchor() != null) {
            anchor = topology.filter(place.anchor());
            if (anchor == null) {
                throw NetException.generic("filter '%s' not found", place.anchor());
            }
            if (anchor.netdev != netdev) {
                throw NetException.generic("filter '%s' belongs to a different netdev", place.anchor());
            }
        }
        if (drivers.current(drivers.filters, type) == null && !declare) {
            throw NetException.generic("Parameter 'qom-type' does not accept value '%s'", type);
        }
        FilterEntry f = new FilterEntry(new NetFilterState(id, type, netdev.state, queue, on), netdev, args);
        NetFilterState anchorState = anchor == null ? null : anchor.state;
        try (Topology.Claim claim = topology.claim(netdev)) {
            if (!topology.contains(netdev)) {
                throw NetException.generic("Parameter 'netdev' expects a network backend id");
            }
            topology.add(f, claim);
            NetFilterDriver<?> driver = drivers.current(drivers.filters, type);
            try {
                if (driver != null) {
                    lifecycle.open(f, driver);
                }
                lifecycle.onLoop(netdev.state.loop(), () -> {
                    netdev.state.filters(place.insert(netdev.state.filters(), f.state, anchorState));
                    return null;
                });
            } catch (NetException ex) {
                lifecycle.closeAndRelease(f); // nothing is left open
                topology.remove(f);
                throw ex;
            }
        }
        return id;
    }

    private static NetException duplicate(String id) {
        return NetException.generic("attempt to add duplicate property '%s' to object (type 'container')", id);
    }

    /** {@code object-del}. */
    void del(String id) throws NetException {
        FilterEntry f = found(id);
        try (Topology.Claim claim = claim(f)) {
            lifecycle.delete(f);
            topology.remove(f);
        }
    }

    /** {@code qom-set /objects/ID status}: the filter stays open, only whether it sees frames changes. */
    void setStatus(String id, boolean on) throws NetException {
        FilterEntry f = found(id);
        try (Topology.Claim claim = claim(f)) {
            lifecycle.onLoop(f.netdev.state.loop(), () -> {
                f.state.status(on);
                return null;
            });
        }
    }

    private FilterEntry found(String id) throws NetException {
        FilterEntry f = topology.filter(id);
        if (f == null) {
            throw notFound(id);
        }
        return f;
    }

    /** Claims a filter found before the wait; one deleted meanwhile is not found. */
    private Topology.Claim claim(FilterEntry f) throws NetException {
        Topology.Claim claim = topology.claim(f);
        if (topology.filter(f.id()) != f) {
            claim.close();
            throw notFound(f.id());
        }
        return claim;
    }

    private static NetException notFound(String id) {
        return NetException.generic("object '%s' not found", id);
    }

    /** Deletes every filter of a netdev that is being deleted (the netdev is claimed). */
    void deleteAll(ClientEntry netdev, Topology.Claim claim) throws NetException {
        for (FilterEntry f : topology.filtersOf(netdev)) {
            claim.add(f);
            lifecycle.delete(f);
            topology.remove(f);
        }
    }

    /**
     * Replaces a filter's own properties and reopens it in its place in the chain. A change of its
     * type, netdev, queue or position makes it afresh at the place the new arguments give.
     */
    void update(String type, String id, Map<String, Object> arguments) throws NetException {
        FilterEntry f = found(id);
        Map<String, Object> options = new LinkedHashMap<>(arguments);
        options.remove("qom-type");
        options.remove("id");
        Object netdev = options.remove("netdev");
        NetFilterDirection queue = QapiArguments.direction(options.remove("queue"));
        boolean on = QapiArguments.status(options.remove("status"));
        if (!type.equals(f.state.type()) || !f.netdev.name().equals(String.valueOf(netdev)) || queue != f.state.queue()
                || options.containsKey("position") || options.containsKey("insert")) {
            Map<String, Object> args = new LinkedHashMap<>(arguments);
            args.remove("qom-type");
            del(id);
            add(type, args, true);
            return;
        }
        try (Topology.Claim claim = claim(f)) {
            lifecycle.closeAndRelease(f);
            f.options = options;
            f.error = null;
            f.state.status(on);
            NetFilterDriver<?> driver = drivers.current(drivers.filters, type);
            if (driver != null) {
                lifecycle.open(f, driver);
            }
        }
    }

    /** A filter type registered: if it is now the one in use, its pending filters open. */
    void driverArrived(NetFilterDriver<?> driver, String type) {
        if (type != null && drivers.arrived(drivers.filters, driver, type)) {
            for (FilterEntry f : topology.filtersOfType(type)) {
                follow(f, null, driver);
            }
        }
    }

    /** A filter type left: its filters close and wait, or move to the next driver of the type. */
    void driverLeft(NetFilterDriver<?> driver, String type) {
        if (type != null && drivers.left(drivers.filters, driver, type)) {
            NetFilterDriver<?> next = drivers.current(drivers.filters, type);
            for (FilterEntry f : topology.filtersOfType(type)) {
                follow(f, driver, next);
            }
        }
    }

    private void follow(FilterEntry f, Object gone, NetFilterDriver<?> next) {
        try (Topology.Claim claim = topology.claim(f)) {
            if (topology.filter(f.id()) != f) {
                return; // deleted while we waited for it
            }
            if (gone != null && f.openedBy == gone) {
                lifecycle.closeAndRelease(f);
                log.log(System.Logger.Level.INFO, "filter " + f.id() + " pending: type '" + f.state.type() + "' went away");
            }
            if (next != null && f.openedBy == null) {
                lifecycle.open(f, next);
            }
        } catch (NetException ex) {
            log.log(System.Logger.Level.ERROR, "filter " + f.id() + ": " + ex.getMessage());
        }
    }
}
