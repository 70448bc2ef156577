package net.backend.socket;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.driverkit.QemuNumbers;

/**
 * Checks a {@link SocketAddressOptions} the way QEMU's QAPI visitor checks a {@code SocketAddress}
 * (missing and unexpected members, in QEMU's words), turns it into a JDK address, and prints
 * addresses the way {@code -netdev stream} shows them in {@code info network} and in its events.
 */
final class SocketAddresses {

    /** QAPI's members of each branch, in schema order. */
    private static final Map<String, List<String>> MEMBERS = Map.of(
            "inet", List.of("host", "port", "numeric", "to", "ipv4", "ipv6", "keep-alive", "mptcp"),
            "unix", List.of("path", "abstract", "tight"),
            "vsock", List.of("cid", "port"),
            "fd", List.of("str"));

    private SocketAddresses() {
    }

    /**
     * Checks the union's shape: a known {@code type}, its mandatory members, no member of another
     * branch.
     *
     * @param name    the option's name, e.g. {@code addr}
     * @param address the bound record
     * @return the type
     * @throws NetException QEMU's error for the first problem
     */
    static String check(String name, SocketAddressOptions address) throws NetException {
        if (address.type() == null) {
            throw NetException.generic("Parameter '%s.type' is missing", name);
        }
        List<String> allowed = MEMBERS.get(address.type());
        if (allowed == null) {
            // QEMU names the discriminator without its prefix here.
            throw NetException.generic("Parameter 'type' does not accept value '%s'", address.type());
        }
        for (Map.Entry<String, Object> member : members(address).entrySet()) {
            if (member.getValue() != null && !allowed.contains(member.getKey())) {
                throw NetException.generic("Parameter '%s.%s' is unexpected", name, member.getKey());
            }
        }
        switch (address.type()) {
            case "inet" -> {
                require(name, "host", address.host());
                require(name, "port", address.port());
                QemuNumbers.keyvalUint16(name + ".to", address.to());
            }
            case "unix" -> require(name, "path", address.path());
            case "vsock" -> {
                require(name, "cid", address.cid());
                require(name, "port", address.port());
            }
            default -> require(name, "str", address.str());
        }
        return address.type();
    }

    /**
     * An inet address. Hosts must be IP literals ({@code localhost} is the loopback address): a name
     * lookup would block the event loop.
     *
     * @param address a checked inet address
     * @return the socket address
     * @throws NetException when the host is no IP literal or the port no number
     */
    static InetSocketAddress inet(SocketAddressOptions address) throws NetException {
        if (address.to() != null) {
            throw NetException.generic("%s: 'to' (a port range) is not supported by Patchbay", address.host());
        }
        if (Boolean.TRUE.equals(address.mptcp())) {
            throw NetException.generic("Multipath TCP (mptcp) is not supported by Patchbay");
        }
        int port;
        try {
            port = Integer.parseInt(address.port());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 0xffff) {
            throw NetException.generic("address resolution failed for %s:%s: Servname not supported for ai_socktype",
                    address.host(), address.port());
        }
        String host = address.host();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress ip;
        if (host.isEmpty()) {
            ip = HostPort.parseIPv4("0");
        } else if (host.equals("localhost")) {
            ip = InetAddress.getLoopbackAddress();
        } else {
            try {
                ip = InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw NetException.generic("address resolution failed for %s:%s: Patchbay takes IP addresses only"
                        + " (a name lookup would block)", host, address.port());
            }
        }
        return new InetSocketAddress(ip, port);
    }

    /** {@code sizeof(sun_path)}: a path needs room for its terminating NUL. */
    private static final int UNIX_PATH_MAX = 108;

    /**
     * A unix socket path. Linux's abstract namespace has no JDK support.
     *
     * @param address a checked unix address
     * @return the socket address
     * @throws NetException for an abstract address, or a path longer than {@code sun_path} holds
     */
    static UnixDomainSocketAddress unix(SocketAddressOptions address) throws NetException {
        if (Boolean.TRUE.equals(address.isAbstract())) {
            throw NetException.generic("abstract unix socket addresses are not supported by Patchbay");
        }
        if (address.path().getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= UNIX_PATH_MAX) {
            throw NetException.generic("UNIX socket path '%s' is too long", address.path());
        }
        return UnixDomainSocketAddress.of(address.path());
    }

    /**
     * @param address an inet or unix socket address
     * @return it as {@code -netdev stream} shows it in {@code info network}: {@code tcp:H:P} or
     *         {@code unix:PATH}
     */
    static String info(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return "tcp:" + inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return "unix:" + ((UnixDomainSocketAddress) address).getPath();
    }

    /**
     * @param address an inet or unix socket address
     * @return it as QEMU's events carry a {@code SocketAddress}, e.g.
     *         {@code {"type":"inet","host":"127.0.0.1","port":"4000","ipv4":true}}
     */
    static Map<String, Object> event(SocketAddress address) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (address instanceof InetSocketAddress inet) {
            data.put("type", "inet");
            data.put("host", inet.getAddress().getHostAddress());
            data.put("port", Integer.toString(inet.getPort()));
            data.put(inet.getAddress() instanceof Inet4Address ? "ipv4" : "ipv6", true);
        } else {
            data.put("type", "unix");
            data.put("path", ((UnixDomainSocketAddress) address).getPath().toString());
        }
        return data;
    }

    private static Map<String, Object> members(SocketAddressOptions a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", a.host());
        m.put("port", a.port());
        m.put("numeric", a.numeric());
        m.put("to", a.to());
        m.put("ipv4", a.ipv4());
        m.put("ipv6", a.ipv6());
        m.put("keep-alive", a.keepAlive());
        m.put("mptcp", a.mptcp());
        m.put("path", a.path());
        m.put("abstract", a.isAbstract());
        m.put("tight", a.tight());
        m.put("cid", a.cid());
        m.put("str", a.str());
        return m;
    }

    private static void require(String name, String member, Object value) throws NetException {
        if (value == null) {
            throw NetException.generic("Parameter '%s.%s' is missing", name, member);
        }
    }
}
