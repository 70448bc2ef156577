package net.backend.l2tpv3;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * {@code src}/{@code dst} and their ports as QEMU's getaddrinfo call takes them, without a DNS
 * lookup on the event loop: IP literals and {@code localhost} only. Failures are the resolver's
 * texts, which QEMU prints.
 */
final class Addresses {

    static final String NO_NAME = "Name or service not known";
    static final String WRONG_FAMILY = "Address family for hostname not supported";
    static final String BAD_SERVICE = "Servname not supported for ai_socktype";

    /** A resolver failure; its message is the resolver's text. */
    static final class Unresolved extends Exception {
        private static final long serialVersionUID = 1L;

        Unresolved(String message) {
            super(message, null, false, false);
        }
    }

    private Addresses() {
    }

    /**
     * @param host a literal or {@code localhost}
     * @param port a decimal port, or null in IP mode (port 0)
     * @param ipv6 the family asked for
     * @return the address
     * @throws Unresolved with the resolver's text
     */
    static InetSocketAddress resolve(String host, String port, boolean ipv6) throws Unresolved {
        int number = port(port);
        InetAddress address;
        if (host.equals("localhost")) {
            address = ipv6 ? InetAddress.ofLiteral("::1") : InetAddress.ofLiteral("127.0.0.1");
        } else {
            try {
                address = InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw new Unresolved(NO_NAME);
            }
        }
        if (ipv6 ? !(address instanceof Inet6Address) : !(address instanceof Inet4Address)) {
            throw new Unresolved(WRONG_FAMILY);
        }
        return new InetSocketAddress(address, number);
    }

    private static int port(String port) throws Unresolved {
        if (port == null) {
            return 0;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')
                || Integer.parseInt(port) > 0xffff) {
            // Service names from /etc/services are not looked up either.
            throw new Unresolved(BAD_SERVICE);
        }
        return Integer.parseInt(port);
    }
}
