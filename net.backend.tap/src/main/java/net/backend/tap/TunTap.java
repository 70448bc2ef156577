package net.backend.tap;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import net.api.NetException;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * The Linux TUN/TAP character device ({@code /dev/net/tun}, {@code linux/if_tun.h}): opening a
 * queue of a TAP interface and the ioctls QEMU issues on it. x86_64 and aarch64 share these values.
 */
final class TunTap {

    static final String DEVICE = "/dev/net/tun";

    /** {@code IFNAMSIZ}: names have at most 15 bytes and a NUL. */
    static final int IFNAMSIZ = 16;
    /** {@code struct ifreq}: the name, then a 24-byte union whose first short is {@code ifr_flags}. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_FLAGS = 16;

    static final int IFF_TAP = 0x0002;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_ONE_QUEUE = 0x2000;
    static final int IFF_VNET_HDR = 0x4000;

    private static final long TUNSETIFF = 0x400454CAL;
    private static final long TUNGETFEATURES = 0x800454CFL;
    private static final long TUNSETOFFLOAD = 0x400454D0L;
    private static final long TUNGETIFF = 0x800454D2L;
    private static final long TUNSETSNDBUF = 0x400454D4L;
    private static final long TUNSETVNETHDRSZ = 0x400454D8L;

    /** {@code sizeof(struct virtio_net_hdr)}: what precedes every frame on an IFF_VNET_HDR queue. */
    static final int VNET_HDR_LEN = 10;

    private TunTap() {
    }

    /** What {@link #getIff} reports of an attached queue. */
    record Attached(String ifname, int flags) {
        boolean vnetHdr() {
            return (flags & IFF_VNET_HDR) != 0;
        }
    }

    /**
     * @param fd an open {@code /dev/net/tun} descriptor
     * @return the IFF_* flags the kernel supports, 0 when it cannot say
     */
    static int features(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment features = arena.allocate(JAVA_INT);
            Libc.ioctl(fd, TUNGETFEATURES, features);
            return features.get(JAVA_INT, 0);
        } catch (PosixException e) {
            return 0; // QEMU only warns and carries on without optional features
        }
    }

    /**
     * TUNSETIFF: attaches {@code fd} to the interface {@code name} (created when absent; a
     * {@code %d} template lets the kernel number it).
     *
     * @return the interface's real name
     * @throws PosixException the kernel's refusal (EPERM without CAP_NET_ADMIN, EBUSY when the
     *                        interface already has its queue, EINVAL for a name that is no TAP)
     */
    static String setIff(int fd, String name, int flags) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            MemorySegment.copy(bytes, 0, ifr, JAVA_BYTE, 0, bytes.length);
            ifr.set(JAVA_SHORT, IFR_FLAGS, (short) flags);
            Libc.ioctl(fd, TUNSETIFF, ifr);
            return ifr.getString(0);
        }
    }

    /**
     * TUNGETIFF.
     *
     * @throws PosixException when {@code fd} is no attached tun/tap queue
     */
    static Attached getIff(int fd) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = arena.allocate(IFREQ_SIZE);
            Libc.ioctl(fd, TUNGETIFF, ifr);
            return new Attached(ifr.getString(0), Short.toUnsignedInt(ifr.get(JAVA_SHORT, IFR_FLAGS)));
        }
    }

    /** TUNSETVNETHDRSZ: a persistent tap may keep a 12-byte header from an earlier user. */
    static void setVnetHdrLen(int fd, int length) throws PosixException {
        setInt(fd, TUNSETVNETHDRSZ, length);
    }

    /** TUNSETSNDBUF: how many bytes the kernel queues towards the interface for this queue. */
    static void setSndbuf(int fd, int bytes) throws PosixException {
        setInt(fd, TUNSETSNDBUF, bytes);
    }

    /**
     * TUNSETOFFLOAD: offloads (checksum, TSO, UFO) the interface may hand us; 0 = none, so every
     * frame read is a plain, complete Ethernet frame as Patchbay's peers expect.
     */
    static void setOffload(int fd, int offloads) throws PosixException {
        Libc.ioctl(fd, TUNSETOFFLOAD, offloads);
    }

    private static void setInt(int fd, long request, int value) throws PosixException {
        try (Arena arena = Arena.ofConfined()) {
            Libc.ioctl(fd, request, arena.allocateFrom(JAVA_INT, value));
        }
    }

    /**
     * Opens one queue as QEMU's {@code tap_open} does: {@code open(/dev/net/tun)} non-blocking,
     * TUNGETFEATURES, then TUNSETIFF with IFF_TAP|IFF_NO_PI and what the kernel offers of
     * IFF_ONE_QUEUE, IFF_VNET_HDR (unless {@code vnet_hdr=off}) and IFF_MULTI_QUEUE (when asked).
     *
     * @param name        the name or template
     * @param vnetHdr     {@code vnet_hdr=}: null = when available, true = required, false = never
     * @param multiQueue  whether the interface gets several queues
     * @param namedByUser whether {@code ifname=} was given (QEMU's message names it then)
     * @return the queue and its interface
     * @throws NetException in QEMU's words
     */
    static Queue open(String name, Boolean vnetHdr, boolean multiQueue, boolean namedByUser) throws NetException {
        if (name.getBytes(StandardCharsets.UTF_8).length >= IFNAMSIZ) {
            // QEMU 7.2 silently cuts the name to 15 bytes, which may attach to someone else's tap.
            throw NetException.generic("could not configure %s (%s): %s", DEVICE, name, Libc.strerror(Libc.EINVAL));
        }
        FdChannel channel;
        try {
            channel = FdChannel.open(DEVICE, Libc.O_RDWR);
        } catch (PosixException e) {
            throw NetException.generic("could not open %s: %s", DEVICE, e.getMessage());
        }
        try {
            int features = features(channel.fd());
            int flags = IFF_TAP | IFF_NO_PI | (features & IFF_ONE_QUEUE);
            boolean withVnetHdr = !Boolean.FALSE.equals(vnetHdr) && (features & IFF_VNET_HDR) != 0;
            if (Boolean.TRUE.equals(vnetHdr) && !withVnetHdr) {
                throw NetException.generic("vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available");
            }
            if (withVnetHdr) {
                flags |= IFF_VNET_HDR;
            }
            if (multiQueue) {
                if ((features & IFF_MULTI_QUEUE) == 0) {
                    throw NetException.generic(
                            "multiqueue required, but no kernel support for IFF_MULTI_QUEUE available");
                }
                flags |= IFF_MULTI_QUEUE;
            }
            try {
                return new Queue(channel, setIff(channel.fd(), name, flags), withVnetHdr);
            } catch (PosixException e) {
                throw namedByUser
                        ? NetException.generic("could not configure %s (%s): %s", DEVICE, name, e.getMessage())
                        : NetException.generic("could not configure %s: %s", DEVICE, e.getMessage());
            }
        } catch (NetException e) {
            channel.close();
            throw e;
        }
    }

    /** One open queue of an interface. */
    record Queue(FdChannel channel, String ifname, boolean vnetHdr) {
    }
}
