package net.backend.l2tpv3;

import java.io.IOException;
import java.net.InetSocketAddress;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.driverkit.QemuNumbers;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code l2tpv3} netdev type: QEMU's static Ethernet-over-L2TPv3 pseudowire, with QEMU 7.2's
 * checks in its order and words: numbers, offset, cookies, UDP ports, then src (resolve, socket,
 * bind) and dst (resolve, connect).
 */
@Component(service = NetClientDriver.class)
@NetType("l2tpv3")
public final class L2tpv3Driver implements NetClientDriver<L2tpv3Options> {

    /** QEMU's limit on {@code offset}; its message says "less than" but 256 itself is accepted. */
    static final int MAX_OFFSET = 256;

    @Override
    public Class<L2tpv3Options> optionsType() {
        return L2tpv3Options.class;
    }

    @Override
    public NetClient open(L2tpv3Options o, NetClientContext context) throws NetException {
        Session session = session(o);
        boolean ipv6 = Boolean.TRUE.equals(o.ipv6());
        InetSocketAddress local = resolve("could not resolve src, errno = %s", o.src(), o.srcport(), ipv6,
                session.udp());
        TunnelSocket socket;
        try {
            socket = session.udp() ? UdpSocket.open(ipv6) : RawSocket.open(ipv6);
        } catch (IOException e) {
            throw NetException.generic("socket creation failed, errno = %d", Errno.of(e));
        }
        try {
            try {
                socket.bind(local);
            } catch (IOException e) {
                throw NetException.generic("could not bind socket err=%d", Errno.of(e));
            }
            InetSocketAddress remote = resolve("could not resolve dst, error = %s", o.dst(), o.dstport(), ipv6,
                    session.udp());
            try {
                socket.connect(remote);
                return L2tpv3Backend.start(context, socket, session);
            } catch (IOException e) {
                throw NetException.generic("could not connect socket err=%d", Errno.of(e));
            }
        } catch (NetException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The session from the options, checked as QEMU checks them.
     *
     * @param o the options
     * @return the session
     * @throws NetException QEMU's message for the first problem
     */
    static Session session(L2tpv3Options o) throws NetException {
        // QEMU's option visitor parses the members in schema order, so their errors come first.
        Long txCookie = QemuNumbers.uint64("txcookie", o.txcookie());
        Long rxCookie = QemuNumbers.uint64("rxcookie", o.rxcookie());
        Long txSession = QemuNumbers.uint32("txsession", o.txsession());
        if (txSession == null) {
            throw NetException.generic("Parameter 'txsession' is missing");
        }
        Long rxSession = QemuNumbers.uint32("rxsession", o.rxsession());
        Long offset = QemuNumbers.uint32("offset", o.offset());
        if (offset != null && offset > MAX_OFFSET) {
            throw NetException.generic("offset must be less than 256 bytes");
        }
        if ((txCookie == null) != (rxCookie == null)) {
            throw NetException.generic("require both 'rxcookie' and 'txcookie' or neither");
        }
        boolean udp = Boolean.TRUE.equals(o.udp());
        if (udp && (o.srcport() == null || o.dstport() == null)) {
            throw NetException.generic("need both src and dst port for udp");
        }
        // QEMU's quirk, kept so that the same options mean the same header on both sides of a
        // QEMU-Patchbay tunnel: cookie64 named at all, even "off", means 64-bit cookies.
        int cookieLength = txCookie == null ? 0 : o.cookie64() != null ? 8 : 4;
        boolean pin = Boolean.TRUE.equals(o.pincounter());
        return new Session(udp, txSession.intValue(), (rxSession != null ? rxSession : txSession).intValue(),
                cookieLength, txCookie == null ? 0 : txCookie, rxCookie == null ? 0 : rxCookie,
                pin || Boolean.TRUE.equals(o.counter()), pin, offset == null ? 0 : offset.intValue());
    }

    private static InetSocketAddress resolve(String message, String host, String port, boolean ipv6, boolean udp)
            throws NetException {
        try {
            // In IP mode QEMU drops the ports before resolving.
            return Addresses.resolve(host, udp ? port : null, ipv6);
        } catch (Addresses.Unresolved e) {
            throw NetException.generic(message, e.getMessage());
        }
    }
}
