package net.backend.tap;

import com.fasterxml.jackson.annotation.JsonProperty;
import net.api.ByteSize;

/**
 * QEMU's {@code NetdevTapOptions} ({@code -netdev tap,...}), named as in QAPI.
 *
 * @param ifname     interface name or template ({@code tap%d} when absent)
 * @param fd         an inherited, already configured tap descriptor (a number)
 * @param fds        inherited descriptors of one multi-queue tap, colon-separated
 * @param script     up-script, {@code no} for none; default {@code /etc/qemu-ifup} when present
 * @param downscript down-script, {@code no} for none; default {@code /etc/qemu-ifdown} when present
 * @param br         bridge for {@code helper}
 * @param helper     bridge helper command that hands over the tap descriptor
 * @param sndbuf     TUNSETSNDBUF limit
 * @param vnetHdr    IFF_VNET_HDR: absent = when the kernel has it, on = required, off = never
 * @param vhost      vhost-net (Patchbay has none)
 * @param vhostfd    an opened vhost-net descriptor (Patchbay has no vhost)
 * @param vhostfds   opened vhost-net descriptors (Patchbay has no vhost)
 * @param vhostforce vhost-net even without MSI-X (Patchbay has no vhost)
 * @param queues     number of queues (IFF_MULTI_QUEUE when above 1), a uint32
 * @param pollUs     vhost busy-polling time, a uint32, meaningless without vhost (QEMU ignores it then too)
 *
 * <p>The uint32 members are text, which {@link net.driverkit.QemuNumbers} reads with QEMU's messages.
 */
public record TapOptions(String ifname, String fd, String fds, String script, String downscript, String br,
        String helper, ByteSize sndbuf, @JsonProperty("vnet_hdr") Boolean vnetHdr, Boolean vhost, String vhostfd,
        String vhostfds, Boolean vhostforce, String queues, @JsonProperty("poll-us") String pollUs) {
}
