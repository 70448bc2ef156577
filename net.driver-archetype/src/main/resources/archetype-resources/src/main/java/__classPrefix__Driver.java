package ${package};

import java.net.InetAddress;
import java.net.InetSocketAddress;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import org.osgi.service.component.annotations.Component;

/**
 * The {@value #TYPE} netdev type: each Ethernet frame travels as one UDP datagram between
 * {@code local} and {@code remote}. {@link NetType} registers the component with the service
 * property {@code net.type=${type}} and declares the type in the bundle's manifest.
 */
@Component(service = NetClientDriver.class)
@NetType(${classPrefix}Driver.TYPE)
public final class ${classPrefix}Driver implements NetClientDriver<${classPrefix}Options> {

    /** The netdev type: {@code -netdev ${type},id=...}. */
    public static final String TYPE = "${type}";

    @Override
    public Class<${classPrefix}Options> optionsType() {
        return ${classPrefix}Options.class;
    }

    @Override
    public NetClient open(${classPrefix}Options options, NetClientContext context) throws NetException {
        // Check every option before anything is opened, so a bad one leaves nothing behind.
        InetSocketAddress local = address(options.local());
        InetSocketAddress remote = address(options.remote());
        return ${classPrefix}Backend.open(local, remote, context);
    }

    /**
     * @param text {@code host:port} with an IP address ({@code [::1]:5555} for IPv6): a name
     *             lookup would block the event loop
     * @return the socket address
     * @throws NetException QEMU's words for a bad address
     */
    static InetSocketAddress address(String text) throws NetException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw NetException.generic("host address '%s' doesn't contain ':' separating host from port", text);
        }
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        String port = text.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            throw NetException.generic("port number '%s' is invalid", port);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            throw NetException.generic("address resolution failed for %s: not an IP address", text);
        }
    }
}
