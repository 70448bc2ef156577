package net.backend.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code user} netdev type: QEMU's user-mode network (NAT, DHCP, DNS forwarder, TFTP, port
 * forwards) from the system's libslirp, with QEMU 7.2's defaults, checks and words.
 */
@Component(service = NetClientDriver.class)
@NetType("user")
public final class UserDriver implements NetClientDriver<UserOptions> {

    /** What QEMU 7.2 built with smbd support says when smbd is not installed (Patchbay runs none). */
    static final String NO_SMBD = "Could not find '/usr/sbin/smbd', please install it";

    private final UserNetdevs netdevs;

    /** @param netdevs where the open netdevs are kept for the monitor's commands */
    @Activate
    public UserDriver(@Reference UserNetdevs netdevs) {
        this.netdevs = netdevs;
    }

    /** A driver of its own, outside OSGi. */
    public UserDriver() {
        this(new UserNetdevs());
    }

    /** @return the open netdevs */
    UserNetdevs netdevs() {
        return netdevs;
    }

    @Override
    public Class<UserOptions> optionsType() {
        return UserOptions.class;
    }

    @Override
    public NetClient open(UserOptions o, NetClientContext context) throws NetException {
        UserSettings settings = UserSettings.of(o);
        Libslirp lib = Libslirp.get();
        UserBackend backend = new UserBackend(context, lib, settings, netdevs);
        try {
            // QEMU keeps the rules in a list it prepends to: guest forwards first, each list backwards.
            for (QemuString rule : reversed(o.guestfwd())) {
                guestForward(backend, context, rule.str());
            }
            for (QemuString rule : reversed(o.hostfwd())) {
                hostForward(backend.stack(), rule.str());
            }
            if (o.smb() != null) {
                throw NetException.generic(NO_SMBD);
            }
        } catch (NetException | RuntimeException e) {
            backend.close();
            throw e;
        }
        backend.start();
        return backend;
    }

    /**
     * Sets up a host forward, as {@code hostfwd=} and {@code hostfwd_add} do.
     *
     * @param stack the libslirp instance
     * @param rule  the rule's text
     * @throws NetException QEMU's message for a rule that does not parse or cannot be set up
     */
    static void hostForward(SlirpStack stack, String rule) throws NetException {
        if (!stack.addHostForward(HostForward.parse(rule))) {
            throw NetException.generic("Could not set up host forwarding rule '%s'", rule);
        }
    }

    private static void guestForward(UserBackend backend, NetClientContext context, String rule)
            throws NetException {
        GuestForward fwd = GuestForward.parse(rule);
        SlirpStack stack = backend.stack();
        if (fwd.target().startsWith(GuestForward.COMMAND)) {
            if (!stack.addExec(fwd.target().substring(GuestForward.COMMAND.length()), fwd.server(), fwd.port())) {
                throw conflicting(rule);
            }
            return;
        }
        // QEMU opens a character device here; of those, a TCP client is what Patchbay makes.
        InetSocketAddress endpoint = GuestForward.tcpEndpoint(fwd.target());
        String device = "guestfwd.tcp." + fwd.port();
        if (endpoint == null) {
            throw NetException.generic("Could not open guest forwarding device '%s'", device);
        }
        TcpGuestForward open;
        try {
            open = TcpGuestForward.open(stack, context.loop(), fwd, endpoint);
        } catch (IOException e) {
            context.logger().log(System.Logger.Level.WARNING, "Failed to connect to '" + endpoint.getHostString() + ":"
                    + endpoint.getPort() + "': " + (e.getMessage() == null ? e : e.getMessage()));
            throw NetException.generic("Could not open guest forwarding device '%s'", device);
        }
        if (open == null) {
            throw conflicting(rule);
        }
        backend.addGuestForward(open);
    }

    private static NetException conflicting(String rule) {
        return NetException.generic("Conflicting/invalid host:port in guest forwarding rule '%s'", rule);
    }

    private static List<QemuString> reversed(List<QemuString> rules) {
        return rules == null ? List.of() : rules.reversed();
    }
}
