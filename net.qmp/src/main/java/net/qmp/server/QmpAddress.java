package net.qmp.server;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import net.api.NetException;
import net.control.QemuOptions;

/**
 * A QMP endpoint address in QEMU's chardev syntax: {@code tcp:HOST:PORT} or {@code unix:PATH},
 * followed by options. As in QEMU, {@code server=on} (or QEMU 3.0's bare {@code server}) listens
 * and without it the endpoint connects out to a listening QMP client; where only a server makes
 * sense ({@link net.control.qmp.QmpService#listen}) {@code server=on} is implied and
 * {@code server=off} refused. {@code wait=on|off}
 * and the bare {@code nowait} are accepted and change nothing: QEMU's {@code wait=on} holds
 * start-up until a client connects, while Patchbay serves its endpoints from the start and never
 * waits. An empty HOST listens on all interfaces, as QEMU does (a warning says so); a client needs
 * a host. Commas in a path are doubled, as QEMU writes them.
 *
 * <p>Patchbay's own options bound what clients may cost, and guard the network:
 * {@code max-clients=N} clients at once (default {@value #CLIENTS}); {@code max-queued=SIZE}
 * bytes of replies and events waiting for one client (suffix {@code k}, {@code M} or {@code G};
 * default 1M), beyond which it is disconnected; {@code remote=on} to listen on a named address
 * other than a loopback one, which is refused otherwise: QMP is unauthenticated and
 * root-equivalent.
 *
 * @param socket     where to listen or connect; for an empty host the port alone
 * @param unix       whether it is a unix socket
 * @param server     whether it listens; else it connects
 * @param anyHost    whether the host was empty: listen on every interface and address family
 * @param maxClients clients served at once
 * @param maxQueued  bytes queued for one client before it is disconnected
 * @param remote     whether the endpoint is open to other hosts (a non-loopback or empty host)
 * @param text       the address as given
 */
record QmpAddress(SocketAddress socket, boolean unix, boolean server, boolean anyHost, int maxClients,
        long maxQueued, boolean remote, String text) {

    /** Default client limit (virtual threads, unix clients polled: an idle client costs little). */
    static final int CLIENTS = 1024;
    /** Default byte limit of a client's queue. */
    static final long MAX_QUEUED = 1 << 20;

    private static final String ADDRESS = "address";
    private static final String MAX_CLIENTS = "max-clients";
    private static final String MAX_QUEUED_OPTION = "max-queued";
    private static final String REMOTE = "remote";

    /**
     * @param text   e.g. {@code tcp::4444,server=on,wait=off} or {@code unix:/tmp/qmp.sock,server,nowait}
     * @param listen whether only a server will do: {@code server=on} is implied, {@code server=off} refused
     * @return the address
     * @throws NetException GenericError naming what is wrong
     */
    static QmpAddress parse(String text, boolean listen) throws NetException {
        Map<String, Object> options = QemuOptions.parse(text, ADDRESS);
        int maxClients = 0;
        long maxQueued = MAX_QUEUED;
        boolean remote = false;
        Boolean server = null;
        for (Map.Entry<String, Object> option : options.entrySet()) {
            String value = String.valueOf(option.getValue());
            switch (option.getKey()) {
                case ADDRESS -> {
                    // parsed below
                }
                case "server" -> server = flag(option.getKey(), value);
                case "wait" -> flag(option.getKey(), value);
                case "nowait" -> {
                    // QEMU 3.0's spelling of wait=off
                }
                case MAX_CLIENTS -> maxClients = (int) number(MAX_CLIENTS, value, Integer.MAX_VALUE);
                case MAX_QUEUED_OPTION -> maxQueued = number(MAX_QUEUED_OPTION, value, Long.MAX_VALUE);
                case REMOTE -> remote = flag(REMOTE, value);
                default -> throw NetException.generic("Invalid parameter '%s'", option.getKey());
            }
        }
        if (listen && Boolean.FALSE.equals(server)) {
            throw NetException.generic("QMP endpoint '%s': client mode (server=off) is not supported,"
                    + " use server=on", text);
        }
        boolean listens = listen || Boolean.TRUE.equals(server);
        int clients = maxClients > 0 ? maxClients : CLIENTS;
        String address = String.valueOf(options.get(ADDRESS));
        if (address.startsWith("unix:") && address.length() > "unix:".length()) {
            return new QmpAddress(UnixDomainSocketAddress.of(Path.of(address.substring("unix:".length()))), true,
                    listens, false, clients, maxQueued, remote, text);
        }
        if (address.startsWith("tcp:")) {
            String hostPort = address.substring("tcp:".length());
            InetSocketAddress inet = inet(hostPort, !listens);
            boolean anyHost = inet.getAddress() == null;
            if (listens && !anyHost && !remote && !inet.getAddress().isLoopbackAddress()) {
                throw NetException.generic("QMP endpoint '%s': QMP is unauthenticated; listening on %s, which is not"
                        + " a loopback address, needs %s=on", text, inet.getAddress().getHostAddress(), REMOTE);
            }
            return new QmpAddress(inet, false, listens, anyHost, clients, maxQueued, listens && (remote || anyHost),
                    text);
        }
        throw NetException.generic("QMP endpoint '%s': expected tcp:HOST:PORT or unix:PATH", text);
    }

    /** @return the address as QEMU names it in its connect errors: {@code HOST:PORT} or the path */
    String target() {
        if (socket instanceof UnixDomainSocketAddress unixSocket) {
            return unixSocket.getPath().toString();
        }
        InetSocketAddress inet = (InetSocketAddress) socket;
        return inet.getHostString() + ":" + inet.getPort();
    }

    /** @return the address in QEMU's syntax, with the port actually bound */
    static String format(SocketAddress bound) {
        if (bound instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        InetSocketAddress inet = (InetSocketAddress) bound;
        if (inet.getAddress() != null && inet.getAddress().isAnyLocalAddress()
                && inet.getAddress() instanceof java.net.Inet6Address) {
            return "tcp:[::]:" + inet.getPort(); // every interface, IPv4 too
        }
        String host = inet.getAddress().getHostAddress();
        return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    /**
     * @param hostPort {@code HOST:PORT}; an empty host is every interface
     * @param client   whether it is connected to, which needs a host
     * @return the address resolved, or the port alone (unresolved, no address) for an empty host
     */
    private static InetSocketAddress inet(String hostPort, boolean client) throws NetException {
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw NetException.generic("error parsing address '%s'", hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 0xFFFF) {
            throw NetException.generic("error parsing port in address '%s'", hostPort);
        }
        if (host.isEmpty()) {
            if (client) {
                // QEMU's resolver, asked for no host without AI_PASSIVE, finds none.
                throw NetException.generic("address resolution failed for %s: Name or service not known", hostPort);
            }
            return InetSocketAddress.createUnresolved(host, port);
        }
        // Resolved now: an unknown host is a configuration error, reported before binding.
        InetSocketAddress socket = new InetSocketAddress(host, port);
        if (socket.isUnresolved()) {
            throw NetException.generic("address resolution failed for %s:%d: Name or service not known", host, port);
        }
        return socket;
    }

    /** A positive number, with QEMU's size suffixes k, M and G (powers of 1024). */
    private static long number(String name, String value, long max) throws NetException {
        int shift = switch (value.isEmpty() ? ' ' : value.charAt(value.length() - 1)) {
            case 'k', 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        String digits = shift == 0 ? value : value.substring(0, value.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n > 0 && n <= max >> shift && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return n << shift;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw NetException.generic("Parameter '%s' expects a positive number", name);
    }

    static boolean flag(String name, String value) throws NetException {
        return switch (value) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw NetException.generic("Parameter '%s' expects 'on' or 'off'", name);
        };
    }
}
