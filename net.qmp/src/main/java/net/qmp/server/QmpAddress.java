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
 * @param socket where to listen
 * @param unix   whether it is a unix socket
 */
record QmpAddress(SocketAddress socket, boolean unix) {

    private static final String ADDRESS = "address";

    /**
     * @param text e.g. {@code tcp::4444,server=on,wait=off} or {@code unix:/tmp/qmp.sock,server,nowait}
     * @return the address
     * @throws NetException GenericError naming what is wrong
     */
    static QmpAddress parse(String text) throws NetException {
        Map<String, Object> options = QemuOptions.parse(text, ADDRESS);
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
                default -> throw NetException.generic("Invalid parameter '%s'", option.getKey());
            }
        }
        String address = String.valueOf(options.get(ADDRESS));
        if (address.startsWith("unix:") && address.length() > "unix:".length()) {
            return new QmpAddress(UnixDomainSocketAddress.of(Path.of(address.substring("unix:".length()))), true);
        }
        if (address.startsWith("tcp:")) {
            return new QmpAddress(inet(address.substring("tcp:".length())), false);
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

    private static boolean flag(String name, String value) throws NetException {
        return switch (value) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw NetException.generic("Parameter '%s' expects 'on' or 'off'", name);
        };
    }
}
