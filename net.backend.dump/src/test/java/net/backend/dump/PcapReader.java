package net.backend.dump;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a whole classic pcap file strictly: any malformed or cut record fails the test. */
final class PcapReader {

    record Record(long seconds, long micros, int originalLength, byte[] data) {
    }

    record File(int snaplen, int linkType, List<Record> records) {
        List<byte[]> frames() {
            return records.stream().map(Record::data).toList();
        }
    }

    private PcapReader() {
    }

    static File read(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 24 || b.getInt(0) != 0xa1b2c3d4 || b.getShort(4) != 2 || b.getShort(6) != 4) {
            throw new IOException(path + ": no little-endian microsecond pcap 2.4 header");
        }
        int snaplen = b.getInt(16);
        int linkType = b.getInt(20);
        List<Record> records = new ArrayList<>();
        int pos = 24;
        while (pos < b.limit()) {
            if (b.limit() - pos < 16) {
                throw new IOException(path + ": record header cut at " + pos);
            }
            long sec = Integer.toUnsignedLong(b.getInt(pos));
            long usec = Integer.toUnsignedLong(b.getInt(pos + 4));
            int incl = b.getInt(pos + 8);
            int orig = b.getInt(pos + 12);
            if (usec > 999_999 || incl > orig || b.limit() - pos - 16 < incl) {
                throw new IOException(path + ": bad record at " + pos);
            }
            byte[] data = Arrays.copyOfRange(b.array(), pos + 16, pos + 16 + incl);
            records.add(new Record(sec, usec, orig, data));
            pos += 16 + incl;
        }
        return new File(snaplen, linkType, records);
    }
}
