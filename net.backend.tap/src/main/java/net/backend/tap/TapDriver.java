package net.backend.tap;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NetException;
import net.api.NetType;
import net.posix.FdChannel;
import net.driverkit.InheritedDescriptors;
import net.driverkit.QemuNumbers;
import net.posix.Libc;
import net.posix.PosixException;
import org.osgi.service.component.annotations.Component;

/**
 * The {@code tap} netdev type: QEMU's {@code -netdev tap} with its three ways to a tap — open one
 * ({@code ifname=}, {@code script=}, {@code queues=}), adopt inherited descriptors ({@code fd=},
 * {@code fds=}), or ask a bridge helper ({@code helper=}, {@code br=}) — checked in QEMU 7.2's
 * order and words. Patchbay has no vhost-net: asking for it fails as QEMU fails when vhost-net
 * cannot be initialised.
 *
 * <p>{@code open} runs on the netdev's event loop and may wait there for the up-script or the
 * bridge helper, bounded (5 s each): QEMU runs both synchronously in {@code net_init_tap} on its
 * main loop and fails the netdev when they fail, and that contract is kept. Everything slow at the
 * other end (the down-script, closing the descriptors after it) is in {@link TapBackend#release()},
 * off the loop.
 */
@Component(service = NetClientDriver.class)
@NetType("tap")
public final class TapDriver implements NetClientDriver<TapOptions> {

    /** The kernel's template when no name is given. */
    static final String TEMPLATE = "tap%d";

    @Override
    public Class<TapOptions> optionsType() {
        return TapOptions.class;
    }

    @Override
    public NetClient open(TapOptions o, NetClientContext context) throws NetException {
        // QEMU reads every member before it checks any combination.
        Long queues = QemuNumbers.uint32("queues", o.queues());
        QemuNumbers.uint32("poll-us", o.pollUs());
        checkCombinations(o);
        checkVhost(o);
        if (o.fd() != null) {
            return adopt(context, List.of(o.fd()));
        }
        if (o.fds() != null) {
            return adopt(context, List.of(o.fds().split(":", -1)));
        }
        if (o.helper() != null) {
            String br = o.br() == null ? BridgeHelper.DEFAULT_BRIDGE : o.br();
            return fromHelper(context, o.helper(), br, "helper=" + o.helper());
        }
        return create(o, queues == null ? 1 : queues, context);
    }

    /** QEMU's {@code net_init_tap} checks, in its order. */
    private static void checkCombinations(TapOptions o) throws NetException {
        if (o.fd() != null) {
            if (any(o.ifname(), o.script(), o.downscript(), o.vnetHdr(), o.helper(), o.queues(), o.fds(),
                    o.vhostfds())) {
                throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, "
                        + "and vhostfds= are invalid with fd=");
            }
        } else if (o.fds() != null) {
            if (any(o.ifname(), o.script(), o.downscript(), o.vnetHdr(), o.helper(), o.queues(), o.vhostfd())) {
                throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, "
                        + "and vhostfd= are invalid with fds=");
            }
        } else if (o.helper() != null) {
            if (any(o.ifname(), o.script(), o.downscript(), o.vnetHdr(), o.queues(), o.vhostfds())) {
                throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, queues=, "
                        + "and vhostfds= are invalid with helper=");
            }
        } else if (o.vhostfds() != null) {
            throw NetException.generic("vhostfds= is invalid if fds= wasn't specified");
        }
    }

    /**
     * QEMU turns vhost on when asked ({@code vhost=on}), or implicitly by {@code vhostfd(s)=} or
     * {@code vhostforce=on}; Patchbay has no vhost-net, so any of them fails with QEMU's words
     * for vhost-net that cannot be initialised. {@code poll-us} only tunes vhost: ignored, as QEMU
     * ignores it without vhost.
     */
    private static void checkVhost(TapOptions o) throws NetException {
        boolean vhostFds = o.vhostfd() != null || o.vhostfds() != null;
        boolean wanted = o.vhost() != null ? o.vhost() : vhostFds || Boolean.TRUE.equals(o.vhostforce());
        if (wanted) {
            throw NetException.generic("vhost-net requested but could not be initialized");
        }
        if (vhostFds) {
            throw NetException.generic("vhostfd(s)= is not valid without vhost");
        }
    }

    /**
     * {@code fd=} / {@code fds=}: descriptors already attached to a tap, inherited by number or
     * passed by a QMP client and named.
     */
    private static NetClient adopt(NetClientContext context, List<String> values) throws NetException {
        List<FdChannel> queues = new ArrayList<>();
        try {
            Boolean vnetHdr = null;
            String ifname = null;
            for (String value : values) {
                FdChannel queue = InheritedDescriptors.take(context.id(), value);
                queues.add(queue);
                TunTap.Attached attached = attached(queue.fd());
                if (vnetHdr != null && vnetHdr != attached.vnetHdr()) {
                    throw NetException.generic("vnet_hdr not consistent across given tap fds");
                }
                vnetHdr = attached.vnetHdr();
                ifname = attached.ifname();
            }
            return TapBackend.start(context, queues, vnetHdr, ifname, null, "fd=" + queues.get(0).fd());
        } catch (NetException e) {
            queues.forEach(FdChannel::close);
            throw e;
        }
    }

    private static TunTap.Attached attached(int fd) throws NetException {
        try {
            return TunTap.getIff(fd);
        } catch (PosixException e) {
            throw NetException.generic("Unable to query TUNGETIFF on FD %d: %s", fd, e.getMessage());
        }
    }

    /**
     * A tap made and enslaved by a bridge helper ({@code tap,helper=} and {@code bridge}).
     *
     * @param info the {@code info network} text
     */
    static NetClient fromHelper(NetClientContext context, String helper, String br, String info) throws NetException {
        int fd = BridgeHelper.open(helper, br);
        FdChannel queue;
        try {
            queue = FdChannel.adopt(fd);
        } catch (PosixException e) {
            Libc.close(fd);
            throw NetException.generic("%s: Can't use file descriptor %d: %s", context.id(), fd, e.getMessage());
        }
        try {
            TunTap.Attached attached = attached(fd);
            return TapBackend.start(context, List.of(queue), attached.vnetHdr(), attached.ifname(), null, info);
        } catch (NetException e) {
            queue.close();
            throw e;
        }
    }

    /** Opens the queues of a new or existing interface, as QEMU's {@code net_tap_init} does. */
    private static NetClient create(TapOptions o, long queueCount, NetClientContext context) throws NetException {
        if (queueCount < 1) {
            // QEMU 7.2 aborts on queues=0; no netdev can have no queue.
            throw NetException.generic("Device 'tap' could not be initialized");
        }
        String script = Scripts.resolve(o.script(), Scripts.DEFAULT_SCRIPT);
        String downscript = Scripts.resolve(o.downscript(), Scripts.DEFAULT_DOWNSCRIPT);
        String name = o.ifname() == null ? TEMPLATE : o.ifname();
        List<FdChannel> queues = new ArrayList<>();
        boolean vnetHdr = false;
        try {
            for (int i = 0; i < queueCount; i++) {
                TunTap.Queue queue = TunTap.open(name, o.vnetHdr(), queueCount > 1, o.ifname() != null);
                queues.add(queue.channel());
                vnetHdr = queue.vnetHdr();
                if (i == 0) {
                    name = queue.ifname(); // later queues attach to the interface the first one made
                    if (script != null) {
                        Scripts.run(script, name);
                    }
                }
                configure(queue.channel().fd(), o, vnetHdr);
            }
            String info = "ifname=" + name + ",script=" + text(o.script(), script) + ",downscript="
                    + text(o.downscript(), downscript);
            return TapBackend.start(context, queues, vnetHdr, name, downscript, info);
        } catch (NetException e) {
            queues.forEach(FdChannel::close);
            throw e;
        }
    }

    /** After the script, as QEMU: the send buffer, then every offload off. */
    private static void configure(int fd, TapOptions o, boolean vnetHdr) throws NetException {
        if (vnetHdr) {
            try {
                TunTap.setVnetHdrLen(fd, TunTap.VNET_HDR_LEN);
            } catch (PosixException e) {
                throw NetException.generic("TUNSETVNETHDRSZ ioctl failed: %s", e.getMessage());
            }
        }
        long sndbuf = o.sndbuf() == null ? Integer.MAX_VALUE : Math.min(o.sndbuf().bytes(), Integer.MAX_VALUE);
        try {
            TunTap.setSndbuf(fd, sndbuf == 0 ? Integer.MAX_VALUE : (int) sndbuf);
        } catch (PosixException e) {
            if (o.sndbuf() != null) {
                throw NetException.generic("TUNSETSNDBUF ioctl failed: %s", e.getMessage());
            }
        }
        try {
            TunTap.setOffload(fd, 0);
        } catch (PosixException e) {
            // A kernel without TUNSETOFFLOAD offers no offloads either.
        }
    }

    /** The info string names scripts as QEMU does: the path, or {@code no}. */
    private static String text(String given, String resolved) {
        return resolved != null ? resolved : given == null ? "no" : given;
    }

    private static boolean any(Object... values) {
        return Stream.of(values).anyMatch(v -> v != null);
    }
}
