package net.testlib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pcap reader on files built here, as QEMU's filter-dump lays them out, growing and finished. */
class PcapTest {

    @TempDir
    Path dir;

    private static byte[] file(ByteOrder order, int linkType, byte[]... frames) {
        int size = Pcap.GLOBAL_HEADER + Arrays.stream(frames).mapToInt(f -> Pcap.RECORD_HEADER + f.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65536).putInt(linkType);
        int t = 0;
        for (byte[] f : frames) {
            b.putInt(1_700_000_000 + t).putInt(t * 1000).putInt(f.length).putInt(f.length).put(f);
            t++;
        }
        return b.array();
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = dir.resolve("t.pcap");
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsLittleAndBigEndianFiles() throws IOException {
        byte[] a = Frames.testFrame(1, 60);
        byte[] jumbo = Frames.testFrame(2, 9000);
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            List<Pcap.Record> records = Pcap.read(write(file(order, 1, a, jumbo)));
            assertEquals(2, records.size(), order.toString());
            assertArrayEquals(a, records.get(0).data());
            assertArrayEquals(jumbo, records.get(1).data());
            assertEquals(9000, records.get(1).originalLength());
            assertEquals(1_700_000_001L, records.get(1).seconds());
            assertTrue(records.get(1).complete());
        }
        // A finished file is QEMU's or Patchbay's, written in this host's byte order.
        ByteOrder foreign = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        Pcap.Capture finished = Pcap.readFinished(write(file(ByteOrder.nativeOrder(), 1, a, jumbo)));
        assertEquals(65536, finished.snaplen());
        assertEquals(List.of(a.length, jumbo.length), finished.frames().stream().map(f -> f.length).toList());
        assertThrows(IOException.class, () -> Pcap.readFinished(write(file(foreign, 1, a, jumbo))));
    }

    @Test
    void theHeaderAloneMeansNoFramesYetAndAMissingOrShortFileToo() throws IOException {
        assertEquals(List.of(), Pcap.read(write(file(ByteOrder.LITTLE_ENDIAN, 1))));
        assertEquals(List.of(), Pcap.read(write(new byte[10])));
        assertEquals(List.of(), Pcap.read(dir.resolve("none.pcap")));
        assertEquals(List.of(), Pcap.readFinished(write(file(ByteOrder.nativeOrder(), 1))).records());
        assertThrows(IOException.class, () -> Pcap.readFinished(write(new byte[10])));
    }

    @Test
    void aLastRecordStillBeingWrittenIsLeftOut() throws IOException {
        byte[] whole = file(ByteOrder.nativeOrder(), 1, Frames.testFrame(1, 60), Frames.testFrame(2, 1514));
        for (int cut : new int[] {1, 8, Pcap.RECORD_HEADER, Pcap.RECORD_HEADER + 1500}) {
            List<Pcap.Record> records = Pcap.read(write(Arrays.copyOf(whole, whole.length - cut)));
            assertEquals(1, records.size(), "cut " + cut);
            assertArrayEquals(Frames.testFrame(1, 60), records.get(0).data());
            byte[] cutShort = Arrays.copyOf(whole, whole.length - cut);
            assertThrows(IOException.class, () -> Pcap.readFinished(write(cutShort)), "finished, cut " + cut);
        }
    }

    @Test
    void rejectsWhatIsNotAnEthernetPcap() throws IOException {
        assertThrows(IOException.class, () -> Pcap.read(write(new byte[] {
            0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})));
        assertThrows(IOException.class, () -> Pcap.read(write(file(ByteOrder.LITTLE_ENDIAN, 101, Frames.testFrame(1, 60)))));
        byte[] corrupt = file(ByteOrder.LITTLE_ENDIAN, 1, Frames.testFrame(1, 60));
        ByteBuffer.wrap(corrupt).order(ByteOrder.LITTLE_ENDIAN).putInt(Pcap.GLOBAL_HEADER + 8, 1 << 30);
        assertThrows(IOException.class, () -> Pcap.read(write(corrupt)));
        byte[] pastASecond = file(ByteOrder.LITTLE_ENDIAN, 1, Frames.testFrame(1, 60));
        ByteBuffer.wrap(pastASecond).order(ByteOrder.LITTLE_ENDIAN).putInt(Pcap.GLOBAL_HEADER + 4, 1_000_000);
        assertThrows(IOException.class, () -> Pcap.read(write(pastASecond)));
    }

    @Test
    void frameHelpersRecogniseTheirOwnFrames() {
        assertTrue(Frames.isProbe(Frames.probe(3)));
        assertTrue(!Frames.isProbe(Frames.testFrame(3, 60)));
        assertTrue(!Frames.isDhcpDiscover(Frames.testFrame(3, 442)));
        assertTrue(Frames.isSubsequence(List.of(Frames.probe(1), Frames.probe(3)),
                List.of(Frames.probe(0), Frames.probe(1), Frames.probe(2), Frames.probe(3))));
        assertTrue(!Frames.isSubsequence(List.of(Frames.probe(3), Frames.probe(1)),
                List.of(Frames.probe(1), Frames.probe(2), Frames.probe(3))));
    }
}
