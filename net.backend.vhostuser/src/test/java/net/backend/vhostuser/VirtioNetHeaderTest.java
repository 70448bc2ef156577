package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The header's size follows the features, and a written header asks for nothing but num_buffers. */
class VirtioNetHeaderTest {

    @Test
    void twelveBytesWithVersion1OrMergedBuffersTenWithout() {
        assertEquals(10, VirtioNetHeader.size(0));
        assertEquals(12, VirtioNetHeader.size(VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_F_VERSION_1)));
        assertEquals(12, VirtioNetHeader.size(VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF)));
        assertEquals(10, VirtioNetHeader.size(VhostUserFeatures.bit(VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES)
                | VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC)));
    }

    @Test
    void aWrittenHeaderIsZerosAndLittleEndianNumBuffersAtAnyAlignment() {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, (byte) 0xee);
        MemorySegment buffer = MemorySegment.ofArray(bytes);
        VirtioNetHeader.write(buffer, 3, VirtioNetHeader.SIZE, 0x0102);
        byte[] header = Arrays.copyOfRange(bytes, 3, 15);
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1}, header);
        assertEquals((byte) 0xee, bytes[2]);
        assertEquals((byte) 0xee, bytes[15]);
        assertEquals(0x0102, VirtioNetHeader.numBuffers(buffer, 3));
        VirtioNetHeader.setNumBuffers(buffer, 3, 0xffff);
        assertEquals(0xffff, VirtioNetHeader.numBuffers(buffer, 3));

        VirtioNetHeader.write(buffer, 20, VirtioNetHeader.LEGACY_SIZE, 7);
        assertEquals(0L, buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, 20));
        assertEquals((byte) 0xee, bytes[30], "a legacy header has no num_buffers");
        assertThrows(IndexOutOfBoundsException.class, () -> VirtioNetHeader.write(buffer, 24, VirtioNetHeader.SIZE, 1));
    }
}
