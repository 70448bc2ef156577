package net.example.udpwire;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import net.api.NetException;

/**
 * QEMU's {@code host:port} address form ({@code [v6addr]:port} for IPv6, an empty host for the
 * wildcard address). Hosts must be IP literals: a name lookup could block the event loop.
 */
final class HostPort {

    private HostPort() {
    }

    /**
     * @param text e.g. {@code 127.0.0.1:11122}
     * @return the socket address
     * @throws NetException GenericError worded as QEMU words a bad address
     */
    static InetSocketAddress parse(String text) throws NetException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw NetException.generic("host address '%s' doesn't contain ':' separating host from port", text);
        }
        String host = text.substring(0, colon);
        String port = text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int portNumber = parsePort(port);
        if (host.isEmpty()) {
            return new InetSocketAddress(portNumber);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), portNumber);
        } catch (IllegalArgumentException e) {
            throw NetException.generic("address resolution failed for %s:%s: not an IP address", host, port);
        }
    }

    /**
     * @param address a resolved socket address
     * @return it in the form {@link #parse} reads, e.g. {@code 127.0.0.1:40000} or {@code [::1]:40000}
     */
    static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static int parsePort(String port) throws NetException {
        if (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int value = Integer.parseInt(port);
            if (value <= 0xffff) {
                return value;
            }
        }
        throw NetException.generic("port number '%s' is invalid", port);
    }
}
