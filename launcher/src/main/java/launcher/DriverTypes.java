package launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.api.NetType;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.resource.Capability;

/**
 * The netdev, filter and NIC types the installed bundles declare in their manifests
 * ({@value NetType#NAMESPACE} capabilities), read before any of them has to be running, so a
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
     * @param context any bundle context of the framework
     * @param deploy  where drivers of more types go, named when a type is missing
     */
    DriverTypes(BundleContext context, Path deploy) {
        this.deploy = deploy.toAbsolutePath().normalize();
        netdevs.add(HUBPORT);
        for (Bundle bundle : context.getBundles()) {
            BundleRevision revision = bundle.adapt(BundleRevision.class);
            if (revision == null) {
                continue;
            }
            for (Capability c : revision.getCapabilities(NetType.NAMESPACE)) {
                add(netdevs, c.getAttributes().get("net.type"));
                add(filters, c.getAttributes().get("filter.type"));
                add(nics, c.getAttributes().get("nic.type"));
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
    private String nicModel(String model) {
        return model == null || nics.contains(model) ? null : "'" + model + "' is not a valid device model name";
    }

    /**
     * @param options the network options
     * @throws UsageException for the first option whose type no bundle provides
     */
    void check(List<NetworkOption> options) throws UsageException {
        for (NetworkOption option : options) {
            String type = option.type();
            String problem = switch (option.section()) {
                case NETDEV -> netdevs.contains(type) ? null : "Parameter 'type' expects a netdev backend type (installed: "
                        + String.join(", ", netdevs) + "; drivers of other types go into " + deploy + ")";
                case NET -> type.equals("nic") ? nicModel(option.model())
                        : type.equals("none") || !type.equals(HUBPORT) && netdevs.contains(type) ? null
                        : "Parameter 'type' expects a net backend type (maybe it is not compiled into this binary)";
                case OBJECT -> filters.contains(type) ? null : "invalid object type: " + type;
                case DEVICE -> nicModel(type);
                case CHARDEV -> null; // net.chardev checks its backends when it makes them
            };
            if (problem != null) {
                throw new UsageException(option + ": " + problem);
            }
        }
    }
}
