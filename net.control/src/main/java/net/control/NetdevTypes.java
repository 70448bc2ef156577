package net.control;

import java.util.List;
import net.api.NetException;

/**
 * The netdev types of the QEMU whose schema Patchbay speaks (7.2, built for Linux: QAPI's
 * {@code NetClientDriver}), and QEMU's words for a type no driver provides: every front end
 * names a missing type the same way.
 */
public final class NetdevTypes {

    /** QEMU 7.2's {@code NetClientDriver} on Linux, in schema order. */
    public static final List<String> QEMU = List.of("none", "nic", "user", "tap", "l2tpv3", "socket", "stream", "dgram",
            "vde", "bridge", "hubport", "netmap", "vhost-user", "vhost-vdpa");

    /** The types whose {@code -netdev} options QEMU 7.2 parses with keyval and QAPI, not QemuOpts. */
    private static final List<String> KEYVAL = List.of("stream", "dgram");

    private NetdevTypes() {
    }

    /**
     * @param type a netdev type
     * @return whether QEMU 7.2 reads its command-line options as keyval (errors in QAPI's words,
     *         e.g. {@code Parameter 'x' is unexpected}) rather than QemuOpts ({@code Invalid
     *         parameter 'x'})
     */
    public static boolean isKeyval(String type) {
        return KEYVAL.contains(type);
    }

    /**
     * @param type a netdev type no driver provides
     * @return QEMU's error: a type of its schema is "not compiled in", any other is no value of
     *         the {@code type} enum
     */
    public static NetException missing(String type) {
        return QEMU.contains(type) ? NetException.generic("network backend '%s' is not compiled into this binary", type)
                : NetException.generic("Parameter 'type' does not accept value '%s'", type);
    }
}
