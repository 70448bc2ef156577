package net.backend.dump;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The classic pcap savefile layout as QEMU writes it: little-endian (the byte order of the hosts
 * QEMU runs on; readers detect it from the magic), microsecond timestamps, Ethernet frames.
 */
final class PcapFormat {

    /** Magic of a microsecond-resolution savefile. */
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final short VERSION_MAJOR = 2;
    static final short VERSION_MINOR = 4;
    /** LINKTYPE_ETHERNET: frames start with the destination MAC, no FCS. */
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    /** QEMU's default snap length for both {@code dump} and {@code filter-dump}. */
    static final int DEFAULT_SNAPLEN = 65536;

    private PcapFormat() {
    }

    /**
     * @param snaplen the largest number of bytes stored per frame
     * @return the 24-byte global header, ready to write
     */
    static ByteBuffer globalHeader(int snaplen) {
        ByteBuffer b = ByteBuffer.allocate(GLOBAL_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC_MICROS).putShort(VERSION_MAJOR).putShort(VERSION_MINOR)
                .putInt(0) // thiszone: timestamps are UTC
                .putInt(0) // sigfigs: always 0 in practice
                .putInt(snaplen).putInt(LINKTYPE_ETHERNET);
        return b.flip();
    }
}
