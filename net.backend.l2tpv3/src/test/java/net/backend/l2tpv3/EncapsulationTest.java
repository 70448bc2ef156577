package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Headers and receive checks against packets written out byte by byte from RFC 3931 §4.1.1 (IP),
 * §4.1.2.1 (UDP), §4.6 (default L2-specific sublayer) and QEMU's layout.
 */
class EncapsulationTest {

    private static final HexFormat HEX = HexFormat.of();
    /** A 14-byte Ethernet header and two payload bytes. */
    private static final String FRAME = "ffffffffffff 525400123456 0800 abcd";

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replace(" ", ""));
    }

    private static byte[] sendHeader(Encapsulation e) {
        ByteBuffer h = e.header();
        byte[] bytes = new byte[h.remaining()];
        h.get(bytes);
        return bytes;
    }

    private static Session ip(int tx, int rx) {
        return new Session(false, tx, rx, 0, 0, 0, false, false, 0);
    }

    @Test
    void ipModeNoCookieIsTheSessionIdAlone() {
        Encapsulation e = new Encapsulation(ip(0x11223344, 0x11223344));
        assertEquals(4, e.headerLength());
        assertArrayEquals(hex("11223344"), sendHeader(e));
    }

    @Test
    void udpModeStartsWithTheDataVersion3Word() {
        Encapsulation e = new Encapsulation(new Session(true, 0xffffffff, 1, 4, 0xaabbccdd_01020304L, 0, false, false, 0));
        // T=0, reserved 0, Ver=3, reserved 0 | session | low 32 bits of the cookie
        assertArrayEquals(hex("00030000 ffffffff 01020304"), sendHeader(e));
    }

    @Test
    void cookie64CounterAndZeroedOffset() {
        Encapsulation e = new Encapsulation(new Session(true, 5, 5, 8, 0x0102030405060708L, 0, true, false, 3));
        assertEquals(4 + 4 + 8 + 4 + 3, e.headerLength());
        // QEMU's first counter is 1, incremented per frame sent; padding is zeros (QEMU leaves garbage).
        assertArrayEquals(hex("00030000 00000005 0102030405060708 00000001 000000"), sendHeader(e));
        e.sent();
        assertArrayEquals(hex("00030000 00000005 0102030405060708 00000002 000000"), sendHeader(e));
    }

    @Test
    void aFrameRetriedLaterKeepsItsCounterValue() {
        Encapsulation e = new Encapsulation(new Session(false, 5, 5, 0, 0, 0, true, false, 0));
        assertArrayEquals(hex("00000005 00000001"), sendHeader(e));
        assertArrayEquals(hex("00000005 00000001"), sendHeader(e)); // not sent: same value again
        e.sent();
        assertArrayEquals(hex("00000005 00000002"), sendHeader(e));
    }

    @Test
    void pinCounterAlwaysSendsZero() {
        Encapsulation e = new Encapsulation(new Session(false, 5, 5, 0, 0, 0, true, true, 0));
        e.sent();
        e.sent();
        assertArrayEquals(hex("00000005 00000000"), sendHeader(e));
    }

    @Test
    void goodPacketsArePositionedAtTheFrame() {
        Encapsulation e = new Encapsulation(new Session(true, 1, 0xcafe, 8, 0, 0x1122334455667788L, true, false, 2));
        ByteBuffer p = ByteBuffer.wrap(hex("00030000 0000cafe 1122334455667788 00000007 eeee " + FRAME));
        assertNull(e.check(p));
        byte[] frame = new byte[p.remaining()];
        p.get(frame);
        assertArrayEquals(hex(FRAME), frame);
    }

    @Test
    void thirtyTwoBitCookieComparesTheLowHalf() {
        Encapsulation e = new Encapsulation(new Session(false, 1, 9, 4, 0, 0xffffffff_00000042L, false, false, 0));
        assertNull(e.check(ByteBuffer.wrap(hex("00000009 00000042 " + FRAME))));
        assertEquals(Drop.WRONG_COOKIE, e.check(ByteBuffer.wrap(hex("00000009 00000043 " + FRAME))));
    }

    @Test
    void dropReasons() {
        Encapsulation e = new Encapsulation(new Session(true, 1, 9, 4, 0, 0x42, true, false, 0));
        String good = "00030000 00000009 00000042 00000000 ";
        assertNull(e.check(ByteBuffer.wrap(hex(good + FRAME))));
        assertEquals(Drop.WRONG_SESSION, e.check(ByteBuffer.wrap(hex("00030000 00000008 00000042 00000000 " + FRAME))));
        assertEquals(Drop.WRONG_COOKIE, e.check(ByteBuffer.wrap(hex("00030000 00000009 00000041 00000000 " + FRAME))));
        // QEMU drops what is not longer than the header: an empty frame too.
        assertEquals(Drop.TOO_SHORT, e.check(ByteBuffer.wrap(hex(good))));
        assertEquals(Drop.TOO_SHORT, e.check(ByteBuffer.wrap(hex("00030000 00000009 0000"))));
        assertEquals(Drop.TOO_SHORT, e.check(ByteBuffer.allocate(0)));
        // A control message (T bit) or another version is no data packet of ours.
        assertEquals(Drop.BAD_HEADER, e.check(ByteBuffer.wrap(hex("c8030000 00000009 00000042 00000000 " + FRAME))));
        assertEquals(Drop.BAD_HEADER, e.check(ByteBuffer.wrap(hex("00020000 00000009 00000042 00000000 " + FRAME))));
        // Reserved bits are ignored, as the RFC says.
        assertNull(e.check(ByteBuffer.wrap(hex("007300ff 00000009 00000042 00000000 " + FRAME))));
    }

    @Test
    void sequenceNumbersWithTheSBitMustAdvance() {
        Encapsulation e = new Encapsulation(new Session(false, 1, 9, 0, 0, 0, true, false, 0));
        assertNull(e.check(packet(0x40000064)));   // S, seq 100
        assertNull(e.check(packet(0x40000065)));   // 101
        assertEquals(Drop.BAD_COUNTER, e.check(packet(0x40000065))); // duplicate
        assertEquals(Drop.BAD_COUNTER, e.check(packet(0x40000032))); // 50: stale
        assertNull(e.check(packet(0x40000070)));   // a gap is lost frames, not a bad packet
        assertNull(e.check(packet(0x40000000 | 0x00ffffff & (0x70 + 0x7fffff)))); // far ahead within half the space
    }

    @Test
    void sequenceWrapsAt24BitsAndResynchronisesAfterAPeerRestart() {
        Encapsulation e = new Encapsulation(new Session(false, 1, 9, 0, 0, 0, true, false, 0));
        assertNull(e.check(packet(0x40fffffe)));
        assertNull(e.check(packet(0x40ffffff)));
        assertNull(e.check(packet(0x40000000))); // wrapped
        assertNull(e.check(packet(0x40000001)));
        for (int i = 1; i < Encapsulation.RESYNC_AFTER; i++) {
            assertEquals(Drop.BAD_COUNTER, e.check(packet(0x40000001)), "stale #" + i);
        }
        assertNull(e.check(packet(0x40000001)), "taken as a restarted peer");
        assertNull(e.check(packet(0x40000002)));
    }

    @Test
    void countersWithoutTheSBitAreTakenAsQemuTakesThem() {
        // QEMU sends 1, 2, 3 ... without the S bit, pincounter and the kernel without sequencing send 0.
        Encapsulation e = new Encapsulation(new Session(false, 1, 9, 0, 0, 0, true, false, 0));
        for (int c : new int[] {1, 2, 0, 0, 7, 3, 0x3fffffff, 0x80000000}) {
            assertNull(e.check(packet(c)), Integer.toHexString(c));
        }
    }

    @Test
    void withoutCounterTheSublayerIsFrameBytes() {
        Encapsulation e = new Encapsulation(ip(1, 9));
        ByteBuffer p = packet(0x40000001);
        assertNull(e.check(p));
        assertEquals(4, p.position());
    }

    private static ByteBuffer packet(int sublayer) {
        ByteBuffer p = ByteBuffer.allocate(8 + 16);
        p.putInt(9).putInt(sublayer).put(hex(FRAME)).flip();
        return p;
    }
}
