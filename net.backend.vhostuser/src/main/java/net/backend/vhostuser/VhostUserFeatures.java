package net.backend.vhostuser;

/**
 * Feature bits both roles negotiate, by bit number as the specifications name them: the virtio
 * device features of {@code GET_FEATURES}/{@code SET_FEATURES} (virtio 1.x and its network
 * device), and the vhost-user protocol features of {@code GET_PROTOCOL_FEATURES}/
 * {@code SET_PROTOCOL_FEATURES} (QEMU's {@code docs/interop/vhost-user.rst}).
 */
final class VhostUserFeatures {

    // -- virtio device features (GET_FEATURES / SET_FEATURES) ---------------------------------------

    /** The driver can merge receive buffers: a frame spreads over several, counted in num_buffers. */
    static final int VIRTIO_NET_F_MRG_RXBUF = 15;
    /** The config space has a link status. */
    static final int VIRTIO_NET_F_STATUS = 16;
    /** The device announces itself (gratuitous ARP) when the driver asks after a migration. */
    static final int VIRTIO_NET_F_GUEST_ANNOUNCE = 21;
    /** Several queue pairs. */
    static final int VIRTIO_NET_F_MQ = 22;
    /** Interrupt even with no buffers left (legacy). */
    static final int VIRTIO_F_NOTIFY_ON_EMPTY = 24;
    /** Dirty-page logging for migration (vhost's {@code VHOST_F_LOG_ALL}). */
    static final int VHOST_F_LOG_ALL = 26;
    /** Headers and data may share descriptors in any layout (legacy; implied by VERSION_1). */
    static final int VIRTIO_F_ANY_LAYOUT = 27;
    /** Descriptors may point at indirect tables. */
    static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    /** used_event / avail_event suppress notifications instead of the flags. */
    static final int VIRTIO_RING_F_EVENT_IDX = 29;
    /** vhost-user only: the back end speaks GET/SET_PROTOCOL_FEATURES (and rings start disabled). */
    static final int VHOST_USER_F_PROTOCOL_FEATURES = 30;
    /** Virtio 1.x: little-endian everywhere, the 12-byte net header. */
    static final int VIRTIO_F_VERSION_1 = 32;
    /** Packed virtqueues (not spoken here: split rings only). */
    static final int VIRTIO_F_RING_PACKED = 34;

    // -- vhost-user protocol features (GET/SET_PROTOCOL_FEATURES) ------------------------------------

    /** GET_QUEUE_NUM and queues beyond the first pair. */
    static final int PROTOCOL_F_MQ = 0;
    /** SET_LOG_BASE passes a shared-memory log. */
    static final int PROTOCOL_F_LOG_SHMFD = 1;
    /** SEND_RARP after migration. */
    static final int PROTOCOL_F_RARP = 2;
    /** NEED_REPLY in a request's flags asks for a u64 reply (0 success). */
    static final int PROTOCOL_F_REPLY_ACK = 3;
    /** NET_SET_MTU. */
    static final int PROTOCOL_F_NET_MTU = 4;
    /** SET_BACKEND_REQ_FD: a channel for the back end's own requests. */
    static final int PROTOCOL_F_BACKEND_REQ = 5;
    /** SET_VRING_ENDIAN. */
    static final int PROTOCOL_F_CROSS_ENDIAN = 6;
    /** CREATE/CLOSE_CRYPTO_SESSION. */
    static final int PROTOCOL_F_CRYPTO_SESSION = 7;
    /** POSTCOPY_* (userfaultfd). */
    static final int PROTOCOL_F_PAGEFAULT = 8;
    /** GET_CONFIG / SET_CONFIG. */
    static final int PROTOCOL_F_CONFIG = 9;
    /** The back-end channel may pass descriptors. */
    static final int PROTOCOL_F_BACKEND_SEND_FD = 10;
    /** Host notifiers mapped from the back end. */
    static final int PROTOCOL_F_HOST_NOTIFIER = 11;
    /** GET/SET_INFLIGHT_FD. */
    static final int PROTOCOL_F_INFLIGHT_SHMFD = 12;
    /** RESET_DEVICE. */
    static final int PROTOCOL_F_RESET_DEVICE = 13;
    /** VRING_KICK messages instead of eventfds. */
    static final int PROTOCOL_F_INBAND_NOTIFICATIONS = 14;
    /** GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG. */
    static final int PROTOCOL_F_CONFIGURE_MEM_SLOTS = 15;
    /** SET_STATUS / GET_STATUS. */
    static final int PROTOCOL_F_STATUS = 16;

    private VhostUserFeatures() {
    }

    /**
     * @param bit a bit number above
     * @return its mask, to OR into a feature word
     */
    static long bit(int bit) {
        return 1L << bit;
    }

    /**
     * @param features a feature word
     * @param bit      a bit number above
     * @return whether {@code features} has it
     */
    static boolean has(long features, int bit) {
        return (features & (1L << bit)) != 0;
    }
}
