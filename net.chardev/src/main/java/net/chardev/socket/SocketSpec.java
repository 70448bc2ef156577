package net.chardev.socket;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import net.api.NetException;

/**
 * A socket chardev's options, from {@code -chardev socket,...} or from QMP's {@code ChardevSocket},
 * checked as QEMU 7.2 checks them.
 *
 * @param id        the chardev's id
 * @param path      the unix socket path, or null for TCP
 * @param host      the TCP host (empty: every address), or null for unix
 * @param port      the TCP port as given
 * @param server    listen rather than connect
 * @param waitForClient a server waits for its first client before going on (command line only)
 * @param reconnect seconds between a client's attempts to connect again; 0: never
 */
record SocketSpec(String id, String path, String host, String port, boolean server, boolean waitForClient, long reconnect) {

    /** The backend types QEMU 7.2's schema knows; Patchbay has {@code socket}. */
    static final Set<String> QEMU_TYPES = Set.of("file", "serial", "parallel", "pipe", "socket", "udp", "pty",
            "null", "mux", "msmouse", "wctablet", "braille", "testdev", "stdio", "console", "spicevmc", "spiceport",
            "qemu-vdagent", "dbus", "vc", "ringbuf", "memory");
    static final String TYPE = "socket";

    /** @return whether it is a unix socket */
    boolean unix() {
        return path != null;
    }

    /** @return the address to listen on or connect to */
    SocketAddress address() throws NetException {
        if (unix()) {
            return UnixDomainSocketAddress.of(path);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host.isEmpty() ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(host), p);
        } catch (NumberFormatException e) {
            throw NetException.generic("address resolution failed for %s:%s: Servname not supported for ai_socktype", host, port);
        } catch (UnknownHostException e) {
            throw NetException.generic("address resolution failed for %s:%s: Name or service not known", host, port);
        }
    }

    /** @return the address as QEMU's messages name it: the path, or {@code host:port} */
    String target() {
        return unix() ? path : host + ":" + port;
    }

    /**
     * {@code -chardev socket,id=c0,path=P|host=H,port=N,server=on|off,wait=on|off,reconnect=S}.
     *
     * @param options the parsed option, {@code backend} included
     * @return the spec
     * @throws NetException in QEMU's words
     */
    static SocketSpec ofCommandLine(Map<String, Object> options) throws NetException {
        Map<String, Object> o = new LinkedHashMap<>(options);
        Object backend = o.remove("backend");
        Object id = o.remove("id");
        if (id == null) {
            throw NetException.generic("chardev: no id specified");
        }
        if (backend == null) {
            throw NetException.generic("chardev: \"%s\" missing backend", id);
        }
        if (!String.valueOf(id).matches("[A-Za-z][A-Za-z0-9_.-]*")) {
            throw NetException.generic("Parameter 'id' expects an identifier"); // QEMU's rule for -chardev ids
        }
        if (!TYPE.equals(backend)) {
            throw QEMU_TYPES.contains(backend)
                    ? NetException.generic("chardev backend '%s' is not available in Patchbay (it has 'socket')", backend)
                    : NetException.generic("'%s' is not a valid char driver name", backend);
        }
        // QEMU's deprecated short forms: a bare "server" arrives as server=on, "nowait" as nowait=on.
        for (String flag : new String[] {"server", "wait"}) {
            Object negated = o.remove("no" + flag);
            if (negated != null && !o.containsKey(flag)) {
                o.put(flag, flag(negated, "no" + flag, true) ? "off" : "on");
            }
        }
        String path = string(o.remove("path"));
        String host = string(o.remove("host"));
        String port = string(o.remove("port"));
        boolean server = flag(o.remove("server"), "server", false);
        Object waitValue = o.remove("wait");
        boolean wait = flag(waitValue, "wait", true);
        long reconnect = number(o.remove("reconnect"), "reconnect");
        if (!o.isEmpty()) {
            throw NetException.generic("Invalid parameter '%s'", o.keySet().iterator().next());
        }
        if (path == null) {
            if (host == null || port == null) {
                throw NetException.generic(host != null ? "chardev: socket: no port given" : "Unable to parse FD number ");
            }
        }
        return checked(new SocketSpec(String.valueOf(id), path, path == null ? host : null, path == null ? port : null,
                server, server && wait, reconnect), waitValue != null);
    }

    /**
     * QMP's {@code ChardevSocket} ({@code backend.data} of {@code chardev-add}).
     *
     * @param id   the chardev's id
     * @param data the members
     * @return the spec
     * @throws NetException in QEMU's words
     */
    static SocketSpec ofQmp(String id, Map<String, Object> data) throws NetException {
        Members m = new Members(data, "backend.data");
        // QAPI's visiting order: addr as a whole first, then the flags, then what is left over.
        Members addr = m.object("addr", true);
        String type = addr.string("type", true);
        Members a = addr.object("data", true);
        String path = null;
        String host = null;
        String port = null;
        switch (type) {
            case "unix" -> path = a.string("path", true);
            case "inet" -> {
                host = a.string("host", true);
                port = a.string("port", true);
            }
            case "vsock", "fd" -> throw NetException.generic("socket address type '%s' is not available in Patchbay", type);
            // QEMU names a union's discriminator without its path
            default -> throw NetException.generic("Parameter 'type' does not accept value '%s'", type);
        }
        a.noMore();
        addr.noMore();
        Boolean server = m.bool("server");
        Boolean wait = m.bool("wait");
        Long reconnect = m.integer("reconnect");
        m.noMore();
        boolean listen = server == null || server;
        try {
            return checked(new SocketSpec(id, path, host, port, listen, listen && wait != null && wait,
                    reconnect == null ? 0 : reconnect), wait != null);
        } catch (NetException e) {
            // past the schema, QEMU's chardev-add names the chardev it failed to add
            throw NetException.generic("Failed to add chardev '%s': %s", id, e.getMessage());
        }
    }

    private static SocketSpec checked(SocketSpec spec, boolean waitGiven) throws NetException {
        if (!spec.server && waitGiven) {
            throw NetException.generic("'wait' option is incompatible with socket in client connect mode");
        }
        if (spec.server && spec.reconnect > 0) {
            throw NetException.generic("'reconnect' option is incompatible with socket in server listen mode");
        }
        return spec;
    }

    private static String string(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    private static boolean flag(Object value, String name, boolean otherwise) throws NetException {
        if (value == null) {
            return otherwise;
        }
        return switch (String.valueOf(value)) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw NetException.generic("Parameter '%s' expects 'on' or 'off'", name);
        };
    }

    private static long number(Object value, String name) throws NetException {
        if (value == null) {
            return 0;
        }
        try {
            long n = Long.parseLong(String.valueOf(value));
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw NetException.generic("Parameter '%s' expects a number", name);
        }
    }
}
