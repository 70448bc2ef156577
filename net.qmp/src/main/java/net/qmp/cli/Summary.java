package net.qmp.cli;

import java.util.List;
import java.util.function.Supplier;
import net.control.NetControl;
import net.control.dto.DriverDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.qmp.QmpListener;
import net.control.qmp.QmpService;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * One line saying what runs, for the launcher's banner: {@code 2 netdevs (1 pending); types:
 * hubport, socket}. Like {@link CommandLine}, called from outside the framework through JDK types.
 */
public final class Summary implements Supplier<String> {

    private final BundleContext context;

    /** @param context the context to find {@link NetControl} with */
    public Summary(BundleContext context) {
        this.context = context;
    }

    @Override
    public String get() {
        ServiceReference<NetControl> ref = context.getServiceReference(NetControl.class);
        NetControl control = ref == null ? null : context.getService(ref);
        if (control == null) {
            return "the network runtime is not running";
        }
        try {
            return netdevs(control.network()) + "; types: "
                    + String.join(", ", control.drivers().stream().map(DriverDTO::type).sorted().toList())
                    + qmp();
        } finally {
            context.ungetService(ref);
        }
    }

    /** @return {@code ; QMP on ADDRESS, ...}, or nothing when no endpoint is open */
    private String qmp() {
        ServiceReference<QmpService> ref = context.getServiceReference(QmpService.class);
        QmpService server = ref == null ? null : context.getService(ref);
        if (server == null) {
            return "";
        }
        try {
            List<String> addresses = server.listeners().stream().map(QmpListener::address).toList();
            return addresses.isEmpty() ? "" : "; QMP on " + String.join(", ", addresses);
        } finally {
            context.ungetService(ref);
        }
    }

    private static String netdevs(NetworkDTO network) {
        List<NetClientDTO> netdevs = network.clients().stream().filter(c -> !"nic".equals(c.kind())).toList();
        long pending = netdevs.stream().filter(c -> "pending".equals(c.state())).count();
        long failed = netdevs.stream().filter(c -> "failed".equals(c.state())).count();
        StringBuilder text = new StringBuilder().append(netdevs.size()).append(netdevs.size() == 1 ? " netdev" : " netdevs");
        if (pending + failed > 0) {
            text.append(" (");
            text.append(pending > 0 ? pending + " pending" : "");
            text.append(pending > 0 && failed > 0 ? ", " : "");
            text.append(failed > 0 ? failed + " failed" : "");
            text.append(')');
        }
        return text.toString();
    }
}
