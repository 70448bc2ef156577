package net.backend.user;

import java.util.List;
import net.api.NetException;

/**
 * A {@code user} netdev's network, checked and completed as QEMU 7.2 does before it starts
 * libslirp: the same defaults (10.0.2.0/24, host .2, DNS .3, DHCP from .15, fec0::/64), the same
 * checks in the same order, the same words.
 *
 * @param restricted     {@code restrict=on}
 * @param ipv4           IPv4 on
 * @param network        the network (host order)
 * @param netmask        its mask
 * @param host           the host's address
 * @param dhcpStart      DHCP's first address
 * @param dns            the DNS forwarder
 * @param ipv6           IPv6 on
 * @param prefix6        the IPv6 prefix
 * @param prefixLength6  its length
 * @param host6          the host's IPv6 address
 * @param dns6           the IPv6 DNS forwarder
 * @param hostname       DHCP's client hostname, or null
 * @param tftp           the TFTP root, or null
 * @param tftpServerName DHCP's TFTP server name, or null
 * @param bootfile       DHCP's boot file, or null
 * @param dnssearch      DHCP's search domains
 * @param domainname     DHCP's domain name, or null
 */
record UserSettings(boolean restricted, boolean ipv4, int network, int netmask, int host, int dhcpStart, int dns,
        boolean ipv6, byte[] prefix6, int prefixLength6, byte[] host6, byte[] dns6, String hostname, String tftp,
        String tftpServerName, String bootfile, List<String> dnssearch, String domainname) {

    private static final int MAX_NAME = 255;

    /**
     * @param o the options
     * @return the settings
     * @throws NetException QEMU's message for the first problem
     */
    static UserSettings of(UserOptions o) throws NetException {
        boolean ipv4 = !(is(o.ipv6()) && o.ipv4() == null || isOff(o.ipv4()));
        boolean ipv6 = !(is(o.ipv4()) && o.ipv6() == null || isOff(o.ipv6()));
        boolean restricted = is(o.restrict());
        String prefixText = o.ipv6Prefix();
        long prefixLength = o.ipv6Prefixlen() == null ? 0 : o.ipv6Prefixlen();
        if (o.ipv6Net() != null) {
            // The command line's ipv6-net=PREFIX[/LEN] replaces ipv6-prefix and ipv6-prefixlen.
            int slash = o.ipv6Net().indexOf('/');
            prefixText = slash < 0 ? o.ipv6Net() : o.ipv6Net().substring(0, slash);
            prefixLength = 64;
            if (slash >= 0) {
                String length = o.ipv6Net().substring(slash + 1);
                if (!length.matches("[0-9]{1,18}")) {
                    throw NetException.generic("Parameter 'ipv6-prefixlen' expects a number");
                }
                prefixLength = Long.parseLong(length);
            }
        }
        String vnet = o.net() != null ? o.net() : o.ip() != null ? o.ip() + "/24" : null;
        if (!ipv4 && (vnet != null || o.host() != null || o.dns() != null)) {
            throw NetException.generic("IPv4 disabled but netmask/host/dns provided");
        }
        if (!ipv6 && (prefixText != null || o.ipv6Host() != null || o.ipv6Dns() != null)) {
            throw NetException.generic("IPv6 disabled but prefix/host6/dns6 provided");
        }
        if (!ipv4 && !ipv6) {
            throw NetException.generic("IPv4 and IPv6 disabled");
        }
        int net = 0x0a000200;
        int mask = 0xffffff00;
        int host = 0x0a000202;
        int dhcp = 0x0a00020f;
        int dns = 0x0a000203;
        if (vnet != null) {
            int slash = vnet.indexOf('/');
            Integer address = Inet.aton(slash < 0 ? vnet : vnet.substring(0, slash));
            if (address == null) {
                throw NetException.generic("Failed to parse netmask");
            }
            net = address;
            mask = slash < 0 ? classfulMask(net) : mask(vnet.substring(slash + 1));
            net &= mask;
            host = net | 0x0202 & ~mask;
            dhcp = net | 0x020f & ~mask;
            dns = net | 0x0203 & ~mask;
        }
        if (o.host() != null) {
            host = address(o.host(), "Failed to parse host");
        }
        if ((host & mask) != net) {
            throw NetException.generic("Host doesn't belong to network");
        }
        if (o.dns() != null) {
            dns = address(o.dns(), "Failed to parse DNS");
        }
        if (restricted && (dns & mask) != net) {
            throw NetException.generic("DNS doesn't belong to network");
        }
        if (dns == host) {
            throw NetException.generic("DNS must be different from host");
        }
        if (o.dhcpstart() != null) {
            dhcp = address(o.dhcpstart(), "Failed to parse DHCP start address");
        }
        if ((dhcp & mask) != net) {
            throw NetException.generic("DHCP doesn't belong to network");
        }
        if (dhcp == host || dhcp == dns) {
            throw NetException.generic("DHCP must be different from host and DNS");
        }
        if (o.smbserver() != null) {
            address(o.smbserver(), "Failed to parse SMB address");
        }
        byte[] prefix = Inet.pton6(prefixText == null ? "fec0::" : prefixText);
        if (prefix == null) {
            throw NetException.generic("Failed to parse IPv6 prefix");
        }
        if (prefixLength == 0) {
            prefixLength = 64;
        }
        if (prefixLength < 0 || prefixLength > 126) {
            throw NetException.generic(
                    "Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)");
        }
        int bits = (int) prefixLength;
        byte[] host6 = ipv6Address(o.ipv6Host(), prefix, 2, "Failed to parse IPv6 host");
        if (o.ipv6Host() != null && !Inet.sameNet(prefix, host6, bits)) {
            throw NetException.generic("IPv6 Host doesn't belong to network");
        }
        byte[] dns6 = ipv6Address(o.ipv6Dns(), prefix, 3, "Failed to parse IPv6 DNS");
        if (o.ipv6Dns() != null && restricted && !Inet.sameNet(prefix, dns6, bits)) {
            throw NetException.generic("IPv6 DNS doesn't belong to network");
        }
        if (o.domainname() != null && o.domainname().isEmpty()) {
            throw NetException.generic("'domainname' parameter cannot be empty");
        }
        checkLength(o.domainname(), "domainname");
        checkLength(o.hostname(), "vhostname");
        checkLength(o.tftpServerName(), "tftp-server-name");
        List<String> search = o.dnssearch() == null ? List.of() : o.dnssearch().stream().map(QemuString::str).toList();
        return new UserSettings(restricted, ipv4, net, mask, host, dhcp, dns, ipv6, prefix, bits, host6, dns6,
                o.hostname(), o.tftp(), o.tftpServerName(), o.bootfile(), search, o.domainname());
    }

    /** @return QEMU's {@code info network} text, e.g. {@code net=10.0.2.0,restrict=off} */
    String info() {
        return "net=" + Inet.ntoa(network) + ",restrict=" + (restricted ? "on" : "off");
    }

    private static boolean is(Boolean b) {
        return Boolean.TRUE.equals(b);
    }

    private static boolean isOff(Boolean b) {
        return Boolean.FALSE.equals(b);
    }

    /** The mask QEMU derives from an address given without one: its class, or a private range's size. */
    private static int classfulMask(int a) {
        if ((a & 0x80000000) == 0) {
            return 0xff000000;
        } else if ((a & 0xfff00000) == 0xac100000) {
            return 0xfff00000;
        } else if ((a & 0xc0000000) == 0x80000000) {
            return 0xffff0000;
        } else if ((a & 0xffff0000) == 0xc0a80000) {
            return 0xffff0000;
        } else if ((a & 0xffff0000) == 0xc6120000) {
            return 0xfffe0000;
        } else if ((a & 0xe0000000) == 0xe0000000) {
            return 0xffffff00;
        }
        return 0xfffffff0;
    }

    /** {@code /BITS} as strtol reads it, or {@code /MASK} when more than a number follows. */
    private static int mask(String text) throws NetException {
        int end = 0;
        if (end < text.length() && (text.charAt(end) == '-' || text.charAt(end) == '+')) {
            end++;
        }
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        if (end != text.length()) {
            Integer mask = Inet.aton(text);
            if (mask == null) {
                throw NetException.generic("Failed to parse netmask (trailing chars)");
            }
            return mask;
        }
        long shift = end == 0 || text.equals("-") || text.equals("+") ? 0 : parseClamped(text);
        if (shift < 4 || shift > 32) {
            throw NetException.generic("Invalid netmask provided (must be in range 4-32)");
        }
        return (int) (0xffffffffL << (32 - shift));
    }

    private static long parseClamped(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return digits.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static int address(String text, String error) throws NetException {
        Integer a = Inet.aton(text);
        if (a == null) {
            throw NetException.generic(error);
        }
        return a;
    }

    private static byte[] ipv6Address(String text, byte[] prefix, int last, String error) throws NetException {
        if (text == null) {
            byte[] a = prefix.clone();
            a[15] |= (byte) last;
            return a;
        }
        byte[] a = Inet.pton6(text);
        if (a == null) {
            throw NetException.generic(error);
        }
        return a;
    }

    private static void checkLength(String value, String name) throws NetException {
        if (value != null && value.length() > MAX_NAME) {
            throw NetException.generic("'%s' parameter cannot exceed 255 bytes", name);
        }
    }
}
