package net.backend.socket.interop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the classic pcap files QEMU's {@code filter-dump} writes: a 24-byte global header (magic
 * 0xa1b2c3d4 in the writer's byte order, version 2.4, snaplen, link type 1 = Ethernet) and records
 * of a 16-byte header (seconds, microseconds, stored length, original length) plus the stored
 * bytes. QEMU writes while the test reads, so a file shorter than its header reads as empty and a
 * last record cut short is left out; anything else malformed is an error.
 */
final class Pcap {

    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    static final int LINKTYPE_ETHERNET = 1;
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    /** No sane record is larger; a bigger length means we are not reading a pcap record header. */
    private static final int MAX_RECORD = 1 << 18;

    /**
     * One captured frame.
     *
     * @param seconds        timestamp, seconds
     * @param fraction       timestamp, micro- (or nano-) seconds
     * @param originalLength the frame's length on the wire
     * @param data           the stored bytes ({@code min(originalLength, snaplen)} of them)
     */
    record Record(long seconds, long fraction, int originalLength, byte[] data) {
        /** @return whether the whole frame was stored */
        boolean complete() {
            return data.length == originalLength;
        }
    }

    private Pcap() {
    }

    /**
     * Reads every complete record.
     *
     * @param file the capture; a missing or header-less file reads as no records
     * @return the records in file order
     * @throws IOException when the file is not a pcap file of Ethernet frames, or a record is corrupt
     */
    static List<Record> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Record> records = new ArrayList<>();
        if (bytes.length < GLOBAL_HEADER) {
            return records;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            buf.order(ByteOrder.BIG_ENDIAN);
            magic = buf.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IOException(String.format("%s: not a pcap file (magic %08x)", file, buf.getInt(0)));
            }
        }
        int major = Short.toUnsignedInt(buf.getShort(4));
        int minor = Short.toUnsignedInt(buf.getShort(6));
        if (major != 2 || minor != 4) {
            throw new IOException(file + ": unexpected pcap version " + major + "." + minor);
        }
        long snaplen = Integer.toUnsignedLong(buf.getInt(16));
        int linkType = buf.getInt(20);
        if (linkType != LINKTYPE_ETHERNET) {
            throw new IOException(file + ": link type " + linkType + ", expected 1 (Ethernet)");
        }
        int pos = GLOBAL_HEADER;
        while (bytes.length - pos >= RECORD_HEADER) {
            long seconds = Integer.toUnsignedLong(buf.getInt(pos));
            long fraction = Integer.toUnsignedLong(buf.getInt(pos + 4));
            long stored = Integer.toUnsignedLong(buf.getInt(pos + 8));
            long original = Integer.toUnsignedLong(buf.getInt(pos + 12));
            if (stored > MAX_RECORD || original > MAX_RECORD || stored > original || stored > snaplen) {
                throw new IOException(String.format("%s: corrupt record header at offset %d (stored %d, original %d, snaplen %d)",
                        file, pos, stored, original, snaplen));
            }
            if (bytes.length - pos - RECORD_HEADER < stored) {
                break; // the last record is still being written
            }
            byte[] data = new byte[(int) stored];
            System.arraycopy(bytes, pos + RECORD_HEADER, data, 0, data.length);
            records.add(new Record(seconds, fraction, (int) original, data));
            pos += RECORD_HEADER + (int) stored;
        }
        return records;
    }

    /**
     * @param file the capture
     * @return the stored bytes of every complete record, in order
     * @throws IOException as {@link #read(Path)}
     */
    static List<byte[]> frames(Path file) throws IOException {
        return read(file).stream().map(Record::data).toList();
    }

    /**
     * @param file the capture
     * @return whether QEMU has written at least the global header (its netdev and filter are open)
     */
    static boolean started(Path file) {
        try {
            return Files.size(file) >= GLOBAL_HEADER;
        } catch (IOException e) {
            return false;
        }
    }
}
