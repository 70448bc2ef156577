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
 * followed by options. {@code server=on} (or QEMU 3.0's bare {@code server}) is implied, since
 * {@link QmpService#listen} always listens; {@code server=off} (client mode) is refused.
 * {@code wait=on|off} and the bare {@code nowait} are accepted and change nothing: QEMU's
 * {@code wait=on} holds start-up until a client connects, while Patchbay serves its endpoints
 * from the start and never waits. An empty HOST is 127.0.0.1; all interfaces only when the
 * address says {@code 0.0.0.0} (or {@code ::}). Commas in a path are doubled, as QEMU writes them.
 *
 * <p>Patchbay's own options bound what clients may cost, and guard the network:
 * {@code max-clients=N} clients at once (default {@value #CLIENTS}); {@code max-queued=SIZE}
 * bytes of replies and events waiting for one client (suffix {@code k}, {@code M} or {@code G};
 * default 1M), beyond which it is disconnected; {@code remote=on} to listen on an address other
 * than a loopback one, which is refused otherwise: QMP is unauthenticated and root-equivalent.
 *
 * @param socket     where to listen
 * @param unix       whether it is a unix socket
 * @param maxClients clients served at once
 * @param maxQueued  bytes queued for one client before it is disconnected
 * @param remote     whether a non-loopback address was asked for explicitly
 */
record QmpAddress(SocketAddress socket, boolean unix, int maxClients, long maxQueued, boolean remote) {

    /** Default client limit (virtual threads, unix clients polled: an idle client costs little). */
    static final int CLIENTS = 1024;
    /** Default byte limit of a client's queue. */
    static final long MAX_QUEUED = 1 << 20;

    private static final String ADDRESS = "address";
    private static final String MAX_CLIENTS = "max-clients";
    private static final String MAX_QUEUED_OPTION = "max-queued";
    private static final String REMOTE = "remote";

    /**
     * @param text e.g. {@code tcp::4444,server=on,wait=off} or {@code unix:/tmp/qmp.sock,server,nowait}
     * @return the address
     * @throws NetException GenericError naming what is wrong
     */
    static QmpAddress parse(String text) throws NetException {
        Map<String, Object> options = QemuOptions.parse(text, ADDRESS);
        int maxClients = 0;
        long maxQueued = MAX_QUEUED;
        boolean remote = false;
        for (Map.Entry<String, Object> option : options.entrySet()) {
            String value = String.valueOf(option.getValue());
            switch (option.getKey()) {
                case ADDRESS -> {
                    // parsed below
                }
                case "server" -> {
                    if (!flag(option.getKey(), value)) {
                        throw NetException.generic("QMP endpoint '%s': client mode (server=off) is not supported,"
                                + " use server=on", text);
                    }
                }
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
        String address = String.valueOf(options.get(ADDRESS));
        if (address.startsWith("unix:") && address.length() > "unix:".length()) {
            return new QmpAddress(UnixDomainSocketAddress.of(Path.of(address.substring("unix:".length()))), true,
                    maxClients > 0 ? maxClients : CLIENTS, maxQueued, remote);
        }
        if (address.startsWith("tcp:")) {
            InetSocketAddress inet = inet(address.substring("tcp:".length()));
            if (!remote && !inet.getAddress().isLoopbackAddress()) {
                throw NetException.generic("QMP endpoint '%s': QMP is unauthenticated; listening on %s, which is not"
                        + " a loopback address, needs %s=on", text, inet.getAddress().getHostAddress(), REMOTE);
            }
            return new QmpAddress(inet, false, maxClients > 0 ? maxClients : CLIENTS, maxQueued, remote);
        }
        throw NetException.generic("QMP endpoint '%s': expected tcp:HOST:PORT or unix:PATH", text);
    }

    /** @return the address in QEMU's syntax, with the port actually bound */
    static String format(SocketAddress bound) {
        if (bound instanceof UnixDomainSocketAddress unix) {
            return "unix:" + unix.getPath();
        }
        InetSocketAddress inet = (InetSocketAddress) bound;
        String host = inet.getAddress().getHostAddress();
        return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    private static InetSocketAddress inet(String hostPort) throws NetException {
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
        // Resolved now: an unknown host is a configuration error, reported before binding.
        InetSocketAddress socket = new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, port);
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

    private static boolean flag(String name, String value) throws NetException {
        return switch (value) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw NetException.generic("Parameter '%s' expects 'on' or 'off'", name);
        };
    }
}
