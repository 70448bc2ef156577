package net.backend.dump;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The pcapng blocks a capture of several netdevs writes (little-endian, microsecond timestamps, the
 * default {@code if_tsresol}): a section header, one interface description per recorder whose
 * {@code if_name} is the netdev, so Wireshark shows which netdev each frame crossed, and an enhanced
 * packet block per frame ({@link CaptureRing#offerBlock}).
 */
final class PcapngFormat {

    static final int SECTION_HEADER = 0x0a0d0d0a;
    static final int INTERFACE_DESCRIPTION = 1;
    static final int ENHANCED_PACKET = 6;
    /** An enhanced packet block without its padded data: 7 fields and the trailing length. */
    static final int PACKET_OVERHEAD = 32;
    private static final int BYTE_ORDER_MAGIC = 0x1a2b3c4d;
    private static final short OPT_END = 0;
    private static final short IF_NAME = 2;
    private static final short IF_DESCRIPTION = 3;

    private PcapngFormat() {
    }

    /** @return a section header block of unknown length, without options, ready to write */
    static ByteBuffer sectionHeader() {
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(SECTION_HEADER).putInt(28).putInt(BYTE_ORDER_MAGIC).putShort((short) 1).putShort((short) 0)
                .putLong(-1).putInt(28);
        return b.flip();
    }

    /**
     * @param name        {@code if_name}: the netdev
     * @param description {@code if_description}: who records it (the filter object)
     * @param snaplen     the most bytes stored per frame, as an unsigned 32-bit value
     * @return an Ethernet interface description block, ready to write
     */
    static ByteBuffer interfaceDescription(String name, String description, int snaplen) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] d = description.getBytes(StandardCharsets.UTF_8);
        int length = 16 + option(n) + option(d) + 4 + 4;
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(INTERFACE_DESCRIPTION).putInt(length).putShort((short) PcapFormat.LINKTYPE_ETHERNET)
                .putShort((short) 0).putInt(snaplen);
        putOption(b, IF_NAME, n);
        putOption(b, IF_DESCRIPTION, d);
        b.putShort(OPT_END).putShort((short) 0).putInt(length);
        return b.flip();
    }

    /** @return the bytes of a data length padded to 32 bits */
    static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static int option(byte[] value) {
        return 4 + padded(value.length);
    }

    private static void putOption(ByteBuffer b, short code, byte[] value) {
        b.putShort(code).putShort((short) value.length).put(value);
        b.position(b.position() + padded(value.length) - value.length); // zeros: a new buffer
    }
}
