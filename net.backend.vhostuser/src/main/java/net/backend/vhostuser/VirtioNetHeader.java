package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The {@code struct virtio_net_hdr} in front of every frame in a virtio-net buffer: flags,
 * gso_type, hdr_len, gso_size, csum_start, csum_offset, then num_buffers when the driver
 * negotiated VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF (12 bytes; 10 without). Both roles
 * offer neither checksum offload nor GSO, so every header either side writes asks for nothing;
 * only num_buffers (how many receive buffers a frame spans) carries a value. Little-endian (the
 * only order of virtio 1.x, and the legacy guest's on the hosts Patchbay runs on).
 */
final class VirtioNetHeader {

    /** Without VERSION_1 or MRG_RXBUF. */
    static final int LEGACY_SIZE = 10;
    /** With VERSION_1 or MRG_RXBUF. */
    static final int SIZE = 12;
    /** Where num_buffers (u16) is, in a {@link #SIZE}-byte header. */
    static final int NUM_BUFFERS_OFFSET = 10;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VirtioNetHeader() {
    }

    /**
     * @param features the negotiated virtio features
     * @return the header's size in bytes: {@link #SIZE} or {@link #LEGACY_SIZE}
     */
    static int size(long features) {
        return VhostUserFeatures.has(features, VhostUserFeatures.VIRTIO_F_VERSION_1)
                || VhostUserFeatures.has(features, VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF) ? SIZE : LEGACY_SIZE;
    }

    /**
     * Writes a header that asks for no offload. For a receive buffer pass the buffers the frame
     * spans (1 without MRG_RXBUF, as virtio 1.x requires); for a transmit buffer 0.
     *
     * @param at         the buffer
     * @param offset     where the header starts (any alignment)
     * @param size       {@link #size(long)}
     * @param numBuffers num_buffers, written only in a {@link #SIZE}-byte header
     * @throws IndexOutOfBoundsException when the header does not fit in {@code at}, perhaps
     *                                   after writing part of it (check the room first)
     */
    static void write(MemorySegment at, long offset, int size, int numBuffers) {
        at.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L); // flags .. gso_size, csum_start
        at.set(U16, offset + 8, (short) 0); // csum_offset
        if (size == SIZE) {
            at.set(U16, offset + NUM_BUFFERS_OFFSET, (short) numBuffers);
        }
    }

    /**
     * Sets num_buffers of a {@link #SIZE}-byte header already written, once a merged frame's
     * buffers are counted.
     */
    static void setNumBuffers(MemorySegment at, long offset, int numBuffers) {
        at.set(U16, offset + NUM_BUFFERS_OFFSET, (short) numBuffers);
    }

    /** @return num_buffers of a {@link #SIZE}-byte header (0..65535) */
    static int numBuffers(MemorySegment at, long offset) {
        return Short.toUnsignedInt(at.get(U16, offset + NUM_BUFFERS_OFFSET));
    }
}
