package launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.api.NetType;
import net.control.NetdevTypes;
import net.control.Section;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;

/**
 * The netdev, filter and NIC types the installed bundles declare in their manifests
 * ({@value NetType#DRIVER_NAMESPACE} capabilities), read before any of them has to be running, so a
 * command line naming a type no bundle provides fails at start-up with QEMU's message.
 */
final class DriverTypes {

    /** Built into net.hub, so no bundle declares it. */
    private static final String HUBPORT = "hubport";

    private final Set<String> netdevs = new TreeSet<>();
    private final Set<String> filters = new TreeSet<>();
    private final Set<String> nics = new TreeSet<>();
    private final Path deploy;

    /**
     * @param netdevs the netdev types bundles provide ({@code hubport} is always there)
     * @param filters the filter types
     * @param nics    the NIC models
     * @param deploy  where drivers of more types go, named by {@code -netdev help}
     */
    DriverTypes(Set<String> netdevs, Set<String> filters, Set<String> nics, Path deploy) {
        this.deploy = deploy.toAbsolutePath().normalize();
        this.netdevs.add(HUBPORT);
        this.netdevs.addAll(netdevs);
        this.filters.addAll(filters);
        this.nics.addAll(nics);
    }

    /**
     * @param context any bundle context of the framework
     * @param deploy  where drivers of more types go
     * @return the types the installed bundles declare
     */
    static DriverTypes of(BundleContext context, Path deploy) {
        Set<String> netdevs = new TreeSet<>();
        Set<String> filters = new TreeSet<>();
        Set<String> nics = new TreeSet<>();
        for (Bundle bundle : context.getBundles()) {
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (Capability c : revision.getCapabilities(NetType.DRIVER_NAMESPACE)) {
                add(netdevs, c.getAttributes().get("net.type"));
                add(filters, c.getAttributes().get("filter.type"));
                add(nics, c.getAttributes().get("nic.type"));
            }
        }
        return new DriverTypes(netdevs, filters, nics, deploy);
    }

    /**
     * QEMU's parser refuses an id its option group (QemuOpts) already has before anything is made;
     * stream and dgram netdevs are not parsed into the group, so the runtime finds theirs.
     */
    private static void checkIds(List<NetworkOption> options) throws UsageException {
        Set<String> seen = new java.util.HashSet<>();
        for (NetworkOption option : options) {
            boolean grouped = option.section() == Section.OBJECT || option.section() == Section.NIC
                    || option.section() == Section.NETDEV && !NetdevTypes.isKeyval(option.type());
            if (grouped && option.id() != null && !seen.add(option.section().option() + " " + option.id())) {
                throw new UsageException(option + ": Duplicate ID '" + option.id() + "' for " + option.section().option());
            }
        }
    }

    /** @return the netdev types, hubport included, sorted */
    Set<String> netdevs() {
        return netdevs;
    }

    /** @return the filter ({@code -object}) types, sorted */
    Set<String> filters() {
        return filters;
    }

    /** @return the NIC models, sorted */
    Set<String> nics() {
        return nics;
    }

    /** @return where drivers of more types go */
    Path deploy() {
        return deploy;
    }

    private static void add(Set<String> types, Object type) {
        if (type != null) {
            types.add(type.toString());
        }
    }

    /** @return null when the model is provided (or not given: the runtime names what is missing) */
    private String deviceModel(String model) {
        return model == null || nics.contains(model) ? null : "'" + model + "' is not a valid device model name";
    }

    /**
     * @return whether a {@code -nic} or {@code -net nic} names a model no bundle provides; QEMU's
     *         error for that names the model but not the option
     */
    private boolean unsupportedNic(NetworkOption option) {
        String model = option.model();
        return switch (option.section()) {
            case NET -> option.type().equals("nic") && model != null && !nics.contains(model);
            case NIC -> netdevs.contains(option.type()) && model != null && !nics.contains(model);
            default -> false;
        };
    }

    /**
     * @param options the network options
     * @throws UsageException for the first id given twice, as QEMU's option parser finds it, or
     *                        the first option whose type no bundle provides
     */
    void check(List<NetworkOption> options) throws UsageException {
        checkIds(options);
        for (NetworkOption option : options) {
            String type = option.type();
            String problem = switch (option.section()) {
                case NETDEV -> netdevs.contains(type) ? null : NetdevTypes.missing(type).getMessage();
                case NET -> type.equals("nic") ? null
                        : type.equals(HUBPORT) ? "network backend 'hubport' is only supported with -netdev/-nic"
                        : type.equals("none") || netdevs.contains(type) ? null : NetdevTypes.missing(type).getMessage();
                case OBJECT -> filters.contains(type) ? null : "Parameter 'qom-type' does not accept value '" + type + "'";
                case DEVICE -> deviceModel(type);
                case NIC -> type.equals("none") || netdevs.contains(type) ? null : NetdevTypes.missing(type).getMessage();
                case CHARDEV -> null; // net.chardev checks its backends when it makes them
            };
            if (problem != null) {
                throw new UsageException(option + ": " + problem);
            }
            if (unsupportedNic(option)) {
                throw new UsageException("Unsupported NIC model: " + option.model());
            }
        }
    }
}
