package net.backend.user;

import net.api.NetException;
import net.control.NetControl;

/**
 * What QEMU's HMP {@code info usernet}, {@code hostfwd_add} and {@code hostfwd_remove} print, in
 * its words: the texts the monitor shows, errors included (HMP prints them, it does not fail).
 */
final class UsernetCommands {

    private final NetControl control;
    private final UserNetdevs netdevs;

    UsernetCommands(NetControl control, UserNetdevs netdevs) {
        this.control = control;
        this.netdevs = netdevs;
    }

    /** @return every stack's {@code slirp_connection_info}, headed {@code Hub N (ID):} */
    String info() throws NetException {
        StringBuilder out = new StringBuilder();
        for (UserNetdevs.Open netdev : netdevs.all()) {
            out.append(netdev.call(() -> "Hub " + netdev.backend().hubId() + " (" + netdev.id() + "):\n"
                    + netdev.backend().stack().connectionInfo()));
        }
        return out.toString();
    }

    /**
     * @param netdev the netdev's id, or null for the first {@code user} netdev
     * @param rule   {@code [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}
     * @return what the monitor prints
     */
    String add(String netdev, String rule) throws NetException {
        Lookup found = lookup(netdev);
        if (found.open() == null) {
            return found.message();
        }
        return found.open().call(() -> {
            try {
                UserDriver.hostForward(found.open().backend().stack(), rule);
                return "";
            } catch (NetException e) {
                return e.getMessage() + "\n";
            }
        });
    }

    /**
     * @param netdev the netdev's id, or null for the first {@code user} netdev
     * @param key    {@code [tcp|udp]:[hostaddr]:hostport}
     * @return what the monitor prints
     */
    String remove(String netdev, String key) throws NetException {
        Lookup found = lookup(netdev);
        if (found.open() == null) {
            return found.message();
        }
        HostForward rule;
        try {
            rule = HostForward.readHostSide(key);
        } catch (HostForward.Syntax e) {
            return "invalid format\n";
        }
        boolean removed = found.open().call(() -> found.open().backend().stack().removeHostForward(rule));
        return "host forwarding rule for " + key + " " + (removed ? "removed" : "not found") + "\n";
    }

    private record Lookup(UserNetdevs.Open open, String message) {
    }

    /** QEMU's slirp_lookup, with its messages. */
    private Lookup lookup(String id) {
        if (id == null) {
            return netdevs.all().stream().findFirst().map(o -> new Lookup(o, null))
                    .orElse(new Lookup(null, "user mode network stack not in use\n"));
        }
        UserNetdevs.Open open = netdevs.get(id);
        if (open != null) {
            return new Lookup(open, null);
        }
        try {
            control.client(id);
            return new Lookup(null, "invalid device specified\n");
        } catch (NetException e) {
            return new Lookup(null, "unrecognized netdev id '" + id + "'\n");
        }
    }
}
