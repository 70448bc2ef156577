package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import net.api.NetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code mac} property as QEMU 7.2's {@code -device e1000,mac=...} takes and prints it. */
class MacAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"52:54:00:12:34:ab", "52-54-00-12-34-AB", "52:54-00:12-34:aB"})
    void takesColonsAndDashesInAnyMixAndPrintsLowerCaseWithColons(String text) throws Exception {
        assertEquals("52:54:00:12:34:ab", MacAddress.parse("e1000", text).toString());
    }

    /** Each refused with the words of {@code qemu-system-x86_64 -device e1000,netdev=h1,mac=TEXT}. */
    @ParameterizedTest
    @ValueSource(strings = {"zz", "", "52:54:00:12:34:5", "52:54:00:12:34:567", "52:54:00:12:34:5g",
            "52.54.00.12.34.56", "52:54:00:12:34:56:", " 52:54:00:12:34:5", "52:54:00:12:34:\u0665\u0666",
            "52:54:00:12:34:\uff15\uff16", "+2:54:00:12:34:56"})
    void refusesWhatQemuRefusesInItsWords(String text) {
        NetException e = assertThrows(NetException.class, () -> MacAddress.parse("e1000", text));
        assertEquals("Property 'e1000.mac' doesn't take value '" + text + "'", e.getMessage());
    }

    /** QEMU 7.2 takes a multicast address with -device (only -net nic and -nic refuse it). */
    @Test
    void aMulticastAddressIsTaken() throws Exception {
        MacAddress group = MacAddress.parse("e1000", "01:00:00:00:00:01");
        assertTrue(group.isMulticast());
        assertFalse(MacAddress.parse("e1000", "52:54:00:12:34:56").isMulticast());
        assertTrue(MacAddress.parse("e1000", "00:00:00:00:00:00").isZero());
    }

    @Test
    void writesAndReadsTheWireOrder() {
        MacAddress mac = new MacAddress(0x0123_4567_89abL);
        ByteBuffer frame = ByteBuffer.allocate(10).position(2);
        mac.put(frame);
        assertEquals(8, frame.position());
        assertEquals(0x01, frame.get(2));
        assertEquals((byte) 0xab, frame.get(7));
        assertEquals(mac.bits(), MacAddress.read(frame, 2));
        assertEquals("01:23:45:67:89:ab", mac.toString());
        assertEquals("ff:ff:ff:ff:ff:ff", MacAddress.BROADCAST.toString());
    }
}
