package net.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetdevTypes;
import net.hub.data.Hub;
import net.hub.data.HubPort;
import net.hub.data.NetClientState;
import net.hub.loop.EventLoopGroup;

/**
 * What exists: netdevs (hubports and {@code -net} backends among them), NICs, filter objects and
 * hubs, by name. Every method is a short critical section on this object: nothing here calls a
 * driver or waits for an event loop, so queries are answered while drivers open and release.
 *
 * <p>An operation that opens, closes or releases an entry first {@linkplain #claim claims} it: a
 * second operation on the same entry waits for the first (as QEMU's one monitor thread would
 * serialise them), while operations on other entries and every query go on.
 */
final class Topology {

    /** How long an operation waits for another one on the same entry: longer than any bounded step. */
    static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

    private final EventLoopGroup loops;
    private final Map<String, ClientEntry> netdevs = new LinkedHashMap<>();
    private final Map<String, ClientEntry> nics = new LinkedHashMap<>();
    private final Map<String, FilterEntry> filters = new LinkedHashMap<>();
    /** Hubports from files waiting for a netdev, by its name: no scan of every netdev per add. */
    private final Map<String, List<ClientEntry>> awaiting = new HashMap<>();
    private final Map<Integer, Hub> hubs = new LinkedHashMap<>();
    private final Map<Integer, Integer> portCounters = new LinkedHashMap<>();
    private final Set<Object> claimed = Collections.newSetFromMap(new IdentityHashMap<>());
    /** Counts changes a front end would draw: every operation on entries, and every link change. */
    private final AtomicLong generation = new AtomicLong();

    Topology(EventLoopGroup loops) {
        this.loops = loops;
    }

    /** @return the generation: it changes whenever what {@link Snapshots#network()} shows may have */
    long generation() {
        return generation.get();
    }

    /**
     * Something a front end draws changed: an entry came or went, opened, closed or failed, a link
     * went up or down. Any thread; never per frame.
     */
    void changed() {
        generation.incrementAndGet();
    }

    // ---- lookups ---------------------------------------------------------------------------------

    synchronized ClientEntry netdev(String id) {
        return netdevs.get(id);
    }

    synchronized ClientEntry nic(String id) {
        return nics.get(id);
    }

    /** @return the NIC whose device has that QOM path, or null */
    synchronized ClientEntry nicAt(String path) {
        return nics.values().stream().filter(e -> path.equals(e.state.devicePath())).findFirst().orElse(null);
    }

    synchronized FilterEntry filter(String id) {
        return filters.get(id);
    }

    /** @return the netdev or NIC of that name (a netdev first, as QEMU looks them up) */
    synchronized ClientEntry client(String name) throws NetException {
        ClientEntry e = netdevs.get(name);
        if (e == null) {
            e = nics.get(name);
        }
        if (e == null) {
            throw notFound(name);
        }
        return e;
    }

    static NetException notFound(String name) {
        return new NetException(ErrorClass.DeviceNotFound, "Device '" + name + "' not found");
    }

    /** @return every netdev, then every NIC, in creation order */
    synchronized List<ClientEntry> clients() {
        List<ClientEntry> list = new ArrayList<>(netdevs.values());
        list.addAll(nics.values());
        return list;
    }

    synchronized List<ClientEntry> netdevsOfType(String type) {
        return ofType(netdevs.values(), type);
    }

    /** @return the hubports waiting for a netdev of this name to be added */
    synchronized List<ClientEntry> awaiting(String netdev) {
        List<ClientEntry> ports = awaiting.get(netdev);
        return ports == null ? List.of() : List.copyOf(ports);
    }

    /** @return how many hubports wait for a netdev, for tests: deleting either side leaves none behind */
    synchronized int awaitingCount() {
        return awaiting.values().stream().mapToInt(List::size).sum();
    }

    synchronized List<ClientEntry> nicsOfModel(String model) {
        return ofType(nics.values(), model);
    }

    private static List<ClientEntry> ofType(Collection<ClientEntry> entries, String type) {
        return entries.stream().filter(e -> e.state.type().equals(type)).toList();
    }

    /** @return how many netdevs there are of each type, counted in one pass */
    synchronized Map<String, Integer> netdevCounts() {
        return count(netdevs.values().stream().map(e -> e.state.type()));
    }

    /** @return how many NICs there are of each model, counted in one pass */
    synchronized Map<String, Integer> nicCounts() {
        return count(nics.values().stream().map(e -> e.state.type()));
    }

    /** @return how many filter objects there are of each type, counted in one pass */
    synchronized Map<String, Integer> filterCounts() {
        return count(filters.values().stream().map(f -> f.state.type()));
    }

    private static Map<String, Integer> count(Stream<String> types) {
        Map<String, Integer> counts = new HashMap<>();
        types.forEach(t -> counts.merge(t, 1, Integer::sum));
        return counts;
    }

    /** @return every filter object, in creation order */
    synchronized List<FilterEntry> filters() {
        return List.copyOf(filters.values());
    }

    synchronized List<FilterEntry> filtersOfType(String type) {
        return filters.values().stream().filter(f -> f.state.type().equals(type)).toList();
    }

    synchronized List<FilterEntry> filtersOf(ClientEntry netdev) {
        return filters.values().stream().filter(f -> f.netdev == netdev).toList();
    }

    /** @return whether the entry is still registered (it may have been deleted while waiting for it) */
    synchronized boolean contains(ClientEntry e) {
        return netdevs.get(e.name()) == e || nics.get(e.name()) == e;
    }

    // ---- hubs ------------------------------------------------------------------------------------

    /** @return the hub, made on first use (QEMU's hubs exist once named) */
    synchronized Hub hub(int id) {
        return hubs.computeIfAbsent(id, h -> new Hub(h, loops));
    }

    /** @return hubs, newest first (QEMU's order) */
    synchronized List<Hub> hubs() {
        List<Hub> list = new ArrayList<>(hubs.values());
        Collections.reverse(list);
        return list;
    }

    /** @return the name of a hub's next automatic port, QEMU's {@code hubNportK} */
    synchronized String nextPortName(Hub hub) {
        int k = portCounters.merge(hub.id(), 1, Integer::sum) - 1;
        return "hub" + hub.id() + "port" + k;
    }

    /** @return the name of the netdev that is each hub port, found in one pass */
    synchronized Map<HubPort, String> portNames() {
        Map<HubPort, String> names = new IdentityHashMap<>();
        for (ClientEntry e : netdevs.values()) {
            HubPort port = e.state.hubPort();
            if (port != null) {
                names.put(port, e.name());
            }
        }
        return names;
    }

    /**
     * @return {@code model.N}, as QEMU names a NIC made without an id: N the number of NICs of that
     *         model there are (named ones too), or the next N no NIC has where QEMU would repeat a name
     */
    synchronized String autoNicName(String model) {
        int n = (int) nics.values().stream().filter(e -> e.state.type().equals(model)).count();
        while (nics.containsKey(model + "." + n)) {
            n++;
        }
        return model + "." + n;
    }

    // ---- adding and removing ---------------------------------------------------------------------

    /**
     * Registers a new netdev, claimed by {@code claim}, so it is never open half-made under
     * another operation.
     *
     * @throws NetException QEMU's duplicate-id error when the name is taken
     */
    synchronized void add(ClientEntry e, Claim claim) throws NetException {
        Map<String, ClientEntry> map = e.state.kind() == NetClientState.Kind.NIC ? nics : netdevs;
        ClientEntry taken = map.get(e.name());
        if (taken != null) {
            // QemuOpts names the option group; a keyval-parsed netdev on either side leaves it out.
            if (map == netdevs && (NetdevTypes.isKeyval(e.state.type()) || NetdevTypes.isKeyval(taken.state.type()))) {
                throw NetException.generic("Duplicate ID '%s'", e.name());
            }
            throw NetException.generic("Duplicate ID '%s' for %s", e.name(), map == nics ? "device" : "netdev");
        }
        map.put(e.name(), e);
        if (e.awaiting != null) {
            awaiting.computeIfAbsent(e.awaiting, n -> new ArrayList<>(1)).add(e);
        }
        claimed.add(e);
        claim.entries.add(e);
    }

    synchronized void add(FilterEntry f, Claim claim) throws NetException {
        if (filters.containsKey(f.id())) {
            throw NetException.generic("attempt to add duplicate property '%s' to object (type 'container')", f.id());
        }
        filters.put(f.id(), f);
        claimed.add(f);
        claim.entries.add(f);
    }

    /** Unregisters the entry, and forgets what it waited for (read before {@code awaiting} is cleared). */
    synchronized void remove(ClientEntry e) {
        netdevs.remove(e.name(), e);
        nics.remove(e.name(), e);
        String netdev = e.awaiting;
        if (netdev != null) {
            List<ClientEntry> ports = awaiting.get(netdev);
            if (ports != null && ports.remove(e) && ports.isEmpty()) {
                awaiting.remove(netdev);
            }
        }
    }

    synchronized void remove(FilterEntry f) {
        filters.remove(f.id(), f);
    }

    // ---- claims ----------------------------------------------------------------------------------

    /**
     * Claims entries for one operation, all at once: waits until no other operation holds any of
     * them. Claim existing entries before adding new ones (which never wait), and a netdev before
     * its filters, so no two operations wait for each other.
     *
     * @param entries {@link ClientEntry}s and {@link FilterEntry}s
     * @return the claim, to close when the operation is done
     * @throws NetException when another operation holds one for longer than {@link #CLAIM_TIMEOUT}
     */
    Claim claim(Object... entries) throws NetException {
        Claim claim = new Claim();
        claim.add(entries);
        return claim;
    }

    /** Entries one operation holds; closing it lets waiting operations in. */
    final class Claim implements AutoCloseable {

        private final List<Object> entries = new ArrayList<>(2);

        /** Claims more entries, waiting for them as {@link #claim} does. */
        void add(Object... more) throws NetException {
            synchronized (Topology.this) {
                long deadline = System.nanoTime() + CLAIM_TIMEOUT.toNanos();
                while (anyClaimed(more)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw NetException.generic("Device '%s' is busy: another operation on it has not finished",
                                name(more));
                    }
                    try {
                        Topology.this.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw NetException.generic("interrupted");
                    }
                }
                for (Object e : more) {
                    claimed.add(e);
                    entries.add(e);
                }
            }
        }

        private boolean anyClaimed(Object[] more) {
            for (Object e : more) {
                if (claimed.contains(e) && !entries.contains(e)) {
                    return true;
                }
            }
            return false;
        }

        private String name(Object[] more) {
            for (Object e : more) {
                if (claimed.contains(e)) {
                    return e instanceof FilterEntry f ? f.id() : ((ClientEntry) e).name();
                }
            }
            return "?";
        }

        /**
         * Every change to an entry (adding, deleting, opening, closing, failing, a filter's
         * status) is made under a claim: ending one counts as a change ({@link #changed()}), even
         * when the operation failed and changed nothing, as a front end only redraws for it.
         */
        @Override
        public void close() {
            changed();
            synchronized (Topology.this) {
                entries.forEach(claimed::remove);
                entries.clear();
                Topology.this.notifyAll();
            }
        }
    }
}
