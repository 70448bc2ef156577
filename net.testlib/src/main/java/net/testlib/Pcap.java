package net.testlib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads classic pcap files as QEMU's and Patchbay's {@code filter-dump} write them: a 24-byte global
 * header (magic 0xa1b2c3d4, or 0xa1b23c4d for nanoseconds, in the writer's byte order; version 2.4;
 * snaplen; link type 1 = Ethernet), then records of a 16-byte header (seconds, fraction, stored
 * length, original length) and the stored bytes.
 *
 * <p>Two readings. {@link #read} is for a file a running QEMU is still writing: missing or shorter
 * than its header reads as empty, a last record cut short is left out. {@link #readFinished} is for
 * a file its writer has closed: it must be whole, in this host's byte order with microseconds, as
 * both writers make it, and a cut record is an error. Anything else malformed is an error in both.
 */
public final class Pcap {

    public static final int GLOBAL_HEADER = 24;
    public static final int RECORD_HEADER = 16;
    public static final int LINKTYPE_ETHERNET = 1;
    private static final int MAGIC_MICROS = 0xa1b2c3d4;
    private static final int MAGIC_NANOS = 0xa1b23c4d;
    /** No sane record is larger; a bigger length means we are not reading a record header. */
    private static final int MAX_RECORD = 1 << 18;

    /**
     * One captured frame.
     *
     * @param fraction       the timestamp's micro- (or nano-) seconds
     * @param originalLength the frame's length on the wire
     * @param data           the stored bytes: {@code min(originalLength, snaplen)} of them
     */
    public record Record(long seconds, long fraction, int originalLength, byte[] data) {
        /** @return whether the whole frame was stored */
        public boolean complete() {
            return data.length == originalLength;
        }
    }

    /** A whole capture file: its header's fields and its records. */
    public record Capture(ByteOrder order, boolean nanos, int snaplen, int linkType, List<Record> records) {
        public List<byte[]> frames() {
            return records.stream().map(Record::data).toList();
        }
    }

    private Pcap() {
    }

    /** @return the complete records of a file that may still be growing, in file order */
    public static List<Record> read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return bytes.length < GLOBAL_HEADER ? List.of() : parse(file, bytes, false).records();
    }

    /** @return the stored bytes of every complete record of a file that may still be growing */
    public static List<byte[]> frames(Path file) throws IOException {
        return read(file).stream().map(Record::data).toList();
    }

    /** @return whether the writer has written at least the global header (its netdev and filter are open) */
    public static boolean started(Path file) {
        try {
            return Files.size(file) >= GLOBAL_HEADER;
        } catch (IOException e) {
            return false;
        }
    }

    /** @return the file its writer has finished; any cut or malformed part is an {@link IOException} */
    public static Capture readFinished(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < GLOBAL_HEADER) {
            throw new IOException(file + ": " + bytes.length + " bytes, less than a pcap header");
        }
        Capture capture = parse(file, bytes, true);
        if (capture.order() != ByteOrder.nativeOrder() || capture.nanos()) {
            throw new IOException(file + ": not a microsecond pcap in this host's byte order ("
                    + capture.order() + (capture.nanos() ? ", nanoseconds)" : ")"));
        }
        return capture;
    }

    private static Capture parse(Path file, byte[] bytes, boolean finished) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = buf.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
            buf.order(ByteOrder.BIG_ENDIAN);
            magic = buf.getInt(0);
            if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) {
                throw new IOException(String.format("%s: not a pcap file (magic %08x)", file, magic));
            }
        }
        boolean nanos = magic == MAGIC_NANOS;
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
        long maxFraction = nanos ? 999_999_999 : 999_999;
        List<Record> records = new ArrayList<>();
        int pos = GLOBAL_HEADER;
        while (bytes.length - pos >= RECORD_HEADER) {
            long seconds = Integer.toUnsignedLong(buf.getInt(pos));
            long fraction = Integer.toUnsignedLong(buf.getInt(pos + 4));
            long stored = Integer.toUnsignedLong(buf.getInt(pos + 8));
            long original = Integer.toUnsignedLong(buf.getInt(pos + 12));
            if (stored > MAX_RECORD || original > MAX_RECORD || stored > original || stored > snaplen
                    || fraction > maxFraction) {
                throw new IOException(String.format(
                        "%s: corrupt record header at offset %d (stored %d, original %d, snaplen %d, fraction %d)",
                        file, pos, stored, original, snaplen, fraction));
            }
            if (bytes.length - pos - RECORD_HEADER < stored) {
                break;
            }
            int start = pos + RECORD_HEADER;
            records.add(new Record(seconds, fraction, (int) original,
                    Arrays.copyOfRange(bytes, start, start + (int) stored)));
            pos = start + (int) stored;
        }
        // A record cut short is one still being written, unless the writer has finished.
        if (finished && pos < bytes.length) {
            throw new IOException(file + ": the record at offset " + pos + " is cut short");
        }
        return new Capture(buf.order(), nanos, (int) snaplen, linkType, records);
    }
}
