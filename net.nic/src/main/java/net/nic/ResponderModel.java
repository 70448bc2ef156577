package net.nic;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;
import net.api.NicType;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code -device responder,netdev=ID,ip=ADDR[,prefix=N][,gw=ADDR][,mac=MAC]}: a host you can ping.
 * With an IPv4 address it answers ARP and ICMP echo, with an IPv6 one Neighbor Solicitations and
 * ICMPv6 echo (see {@link Ipv4Responder}, {@link Ipv6Responder}).
 */
@Component(service = NicModel.class)
@NicType(Responder.MODEL)
public final class ResponderModel implements NicModel<ResponderModel.Options> {

    /** A LAN's usual prefix, for either family. */
    static final int DEFAULT_PREFIX_IPV4 = 24;
    static final int DEFAULT_PREFIX_IPV6 = 64;

    /** Dotted decimal only, as inet_pton takes it: no "10.1" or hex forms. */
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final InetAddress LIMITED_BROADCAST = Inet4Address.ofLiteral("255.255.255.255");

    /**
     * @param ip     the host's address, IPv4 or IPv6 (required)
     * @param prefix the length of its network's prefix: 24 (IPv4) or 64 (IPv6) when absent
     * @param gw     its default gateway, on its network (or link-local, for IPv6): with one, echo
     *               requests from off-link sources are answered too
     * @param mac    the NIC's address; QEMU's next default when absent
     */
    public record Options(@JsonProperty(required = true) String ip, Integer prefix, String gw, String mac) {
    }

    private final MacTable macs;

    @Activate
    public ResponderModel(@Reference MacTable macs) {
        this.macs = macs;
    }

    @Override
    public Class<Options> optionsType() {
        return Options.class;
    }

    @Override
    public NetClient open(Options options, NetClientContext context) throws NetException {
        InetAddress ip = address("ip", options.ip());
        if (ip.isAnyLocalAddress() || ip.isMulticastAddress() || ip.equals(LIMITED_BROADCAST)) {
            throw refused("ip", options.ip());
        }
        boolean v4 = ip instanceof Inet4Address;
        int prefix = options.prefix() == null ? v4 ? DEFAULT_PREFIX_IPV4 : DEFAULT_PREFIX_IPV6 : options.prefix();
        if (prefix < 0 || prefix > (v4 ? 32 : 128)) {
            throw refused("prefix", String.valueOf(options.prefix()));
        }
        if (options.gw() != null) {
            checkGateway(ip, prefix, address("gw", options.gw()), options.gw());
        }
        MacAddress mac = options.mac() == null ? null : MacAddress.parse(Responder.MODEL, options.mac());
        ByteBuffer bytes = ByteBuffer.wrap(ip.getAddress());
        boolean routed = options.gw() != null;
        return v4 ? new Ipv4Responder(bytes.getInt(), prefix, routed, mac, macs, context)
                : new Ipv6Responder(bytes.getLong(), bytes.getLong(), prefix, routed, mac, macs, context);
    }

    /** A gateway is a unicast address of the same family, other than the host's, that it can reach on its link. */
    private static void checkGateway(InetAddress ip, int prefix, InetAddress gw, String text) throws NetException {
        if (gw.getClass() != ip.getClass() || gw.isAnyLocalAddress() || gw.isMulticastAddress() || gw.equals(ip)
                || gw.equals(LIMITED_BROADCAST)) {
            throw refused("gw", text);
        }
        boolean linkLocal = gw instanceof Inet6Address && gw.isLinkLocalAddress();
        if (!linkLocal && !sameNetwork(ip.getAddress(), gw.getAddress(), prefix)) {
            throw NetException.generic("Gateway '%s' is not on the network of %s/%d", text, ip.getHostAddress(),
                    prefix);
        }
    }

    private static boolean sameNetwork(byte[] a, byte[] b, int prefix) {
        for (int bit = 0; bit < prefix; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** Parses an address literal; never a host name, so nothing is looked up. */
    private static InetAddress address(String property, String text) throws NetException {
        try {
            if (text.indexOf(':') >= 0) {
                InetAddress a = InetAddress.ofLiteral(text);
                // a mapped IPv4 address comes back as IPv4; a zone belongs to no frame
                if (a instanceof Inet6Address v6 && v6.getScopeId() == 0 && v6.getScopedInterface() == null
                        && text.indexOf('%') < 0) {
                    return a;
                }
            } else if (DOTTED_QUAD.matcher(text).matches()) {
                return Inet4Address.ofLiteral(text);
            }
        } catch (IllegalArgumentException e) {
            // said below in QEMU's words
        }
        throw refused(property, text);
    }

    private static NetException refused(String property, String text) {
        return NetException.generic("Property '%s.%s' doesn't take value '%s'", Responder.MODEL, property, text);
    }
}
