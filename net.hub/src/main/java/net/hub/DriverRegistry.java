package net.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import net.api.NetClientDriver;
import net.api.NetFilterDriver;
import net.api.NicModel;
import net.control.Section;
import net.control.dto.DriverDTO;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The drivers registered now, by kind and type: the first registered for a type is in use, others
 * wait their turn. A type arriving or leaving is logged at INFO, with its bundle.
 */
final class DriverRegistry {

    private static final String BUILT_IN = "net.hub";

    final DriverTable<NetClientDriver<?>> netdevs = new DriverTable<>("netdev");
    final DriverTable<NetFilterDriver<?>> filters = new DriverTable<>("filter");
    final DriverTable<NicModel<?>> nics = new DriverTable<>("nic");
    private final System.Logger log;
    /** While it holds, types coming and going are logged at DEBUG only (the framework is stopping). */
    private final BooleanSupplier quiet;

    DriverRegistry(System.Logger log, BooleanSupplier quiet) {
        this.log = log;
        this.quiet = quiet;
    }

    private System.Logger.Level news() {
        return quiet.getAsBoolean() ? System.Logger.Level.DEBUG : System.Logger.Level.INFO;
    }

    synchronized <D> D current(DriverTable<D> table, String type) {
        return table.current(type);
    }

    /**
     * A driver registered.
     *
     * @return true when it is now the one in use for its type (its pending entries may open)
     */
    synchronized <D> boolean arrived(DriverTable<D> table, D driver, String type) {
        DriverTable.Entry<D> entry = entry(driver, type);
        boolean inUse = table.add(entry);
        log.log(news(), table.kind() + " type '" + type + "' " + (inUse ? "available" : "registered again")
                + " from " + source(entry) + (inUse ? "" : "; waits while another serves it"));
        return inUse;
    }

    /**
     * A driver left.
     *
     * @return whether it was the one in use (its entries must close)
     */
    synchronized <D> boolean left(DriverTable<D> table, D driver, String type) {
        DriverTable.Entry<D> entry = entry(driver, type);
        boolean wasInUse = table.remove(type, driver);
        if (wasInUse) {
            D next = table.current(type);
            log.log(news(), table.kind() + " type '" + type + "' from " + source(entry) + " left"
                    + (next == null ? "; its instances wait for a driver" : "; another driver of the type takes over"));
        }
        return wasInUse;
    }

    /**
     * @param topology what exists, to count each type's instances
     * @return the types that can be instantiated now, the built-in hubport first
     */
    synchronized List<DriverDTO> drivers(Topology topology) {
        List<DriverDTO> out = new ArrayList<>();
        Bundle self = FrameworkUtil.getBundle(DriverRegistry.class);
        Map<String, Integer> netdevCounts = topology.netdevCounts();
        Map<String, Integer> filterCounts = topology.filterCounts();
        Map<String, Integer> nicCounts = topology.nicCounts();
        out.add(new DriverDTO("netdev", Clients.HUBPORT, BUILT_IN, self == null ? "" : self.getVersion().toString(),
                netdevCounts.getOrDefault(Clients.HUBPORT, 0)));
        for (DriverTable.Entry<NetClientDriver<?>> d : netdevs.inUse()) {
            out.add(dto(netdevs, d, netdevCounts.getOrDefault(d.type(), 0)));
        }
        for (DriverTable.Entry<NetFilterDriver<?>> d : filters.inUse()) {
            out.add(dto(filters, d, filterCounts.getOrDefault(d.type(), 0)));
        }
        for (DriverTable.Entry<NicModel<?>> d : nics.inUse()) {
            out.add(dto(nics, d, nicCounts.getOrDefault(d.type(), 0)));
        }
        return out;
    }

    /**
     * @param section what the types are for ({@code NET} is served by the netdev drivers)
     * @return the option record of each type in use, the built-in hubport first among netdevs
     */
    synchronized Map<String, Class<?>> optionTypes(Section section) {
        Map<String, Class<?>> out = new LinkedHashMap<>();
        switch (section) {
            case NETDEV, NET -> {
                out.put(Clients.HUBPORT, HubPortOptions.class);
                netdevs.inUse().forEach(d -> out.put(d.type(), d.driver().optionsType()));
            }
            case OBJECT -> filters.inUse().forEach(d -> out.put(d.type(), d.driver().optionsType()));
            case DEVICE -> nics.inUse().forEach(d -> out.put(d.type(), d.driver().optionsType()));
        }
        return out;
    }

    private static DriverDTO dto(DriverTable<?> table, DriverTable.Entry<?> d, int instances) {
        return new DriverDTO(table.kind(), d.type(), d.bundle(), d.version(), instances);
    }

    /** @return the type a driver service names in its properties, or null */
    static String typeOf(Map<String, Object> properties, String key) {
        Object type = properties.get(key);
        if (type instanceof String[] many && many.length > 0) {
            return many[0];
        }
        return type == null ? null : String.valueOf(type);
    }

    private static String source(DriverTable.Entry<?> entry) {
        return entry.version().isEmpty() ? entry.bundle() : entry.bundle() + " " + entry.version();
    }

    private static <D> DriverTable.Entry<D> entry(D driver, String type) {
        Bundle bundle = FrameworkUtil.getBundle(driver.getClass());
        return new DriverTable.Entry<>(driver, type, bundle == null ? "(class path)" : bundle.getSymbolicName(),
                bundle == null ? "" : bundle.getVersion().toString());
    }
}
