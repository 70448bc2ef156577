package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2's default addresses, as {@code qemu-system-x86_64 -M pc} hands them out to e1000 and
 * usb-net devices (its {@code info network} read back).
 */
class MacTableTest {

    private final MacTable table = new MacTable();

    private MacAddress take(String given) throws Exception {
        return table.take(given == null ? null : MacAddress.parse("e1000", given));
    }

    /**
     * {@code -device e1000} (a), {@code e1000,mac=52:54:00:12:34:57} (b), {@code e1000} (c),
     * {@code e1000,mac=52:54:00:12:34:56} (d): :56, :57, :58, :56 — a default skips an address
     * given, and a given one may repeat one in use.
     */
    @Test
    void defaultsSkipAddressesInUseAndGivenOnesMayRepeat() throws Exception {
        assertEquals("52:54:00:12:34:56", take(null).toString());
        assertEquals("52:54:00:12:34:57", take("52:54:00:12:34:57").toString());
        assertEquals("52:54:00:12:34:58", take(null).toString());
        assertEquals("52:54:00:12:34:56", take("52:54:00:12:34:56").toString());
        assertEquals("52:54:00:12:34:59", take(null).toString());
    }

    /** usb-net u1 (:56), u2 (:57), {@code device_del u1}, u3: u3 gets :56 again. */
    @Test
    void aDeletedNicsAddressIsTheNextDefault() throws Exception {
        MacAddress u1 = take(null);
        take(null);
        table.release(u1);
        assertEquals("52:54:00:12:34:56", take(null).toString());
        assertEquals("52:54:00:12:34:58", take(null).toString());
    }

    /** Two NICs given :56 hold it twice: it is free again only when both are gone. */
    @Test
    void anAddressHeldTwiceIsFreeWhenBothAreGone() throws Exception {
        MacAddress a = take(null);
        MacAddress b = take("52:54:00:12:34:56");
        table.release(a);
        assertEquals("52:54:00:12:34:57", take(null).toString());
        table.release(b);
        assertEquals("52:54:00:12:34:56", take(null).toString());
    }

    /** {@code e1000,mac=00:00:00:00:00:00} gets 52:54:00:12:34:56 in QEMU 7.2: zero is "none given". */
    @Test
    void theZeroAddressMeansNoneGiven() throws Exception {
        assertEquals("52:54:00:12:34:56", take("00:00:00:00:00:00").toString());
        assertEquals("52:54:00:12:34:57", take(null).toString());
    }

    @Test
    void addressesOutsideTheRangeTakeNothing() throws Exception {
        assertEquals("02:00:00:00:00:56", take("02:00:00:00:00:56").toString());
        assertEquals("52:54:00:12:35:56", take("52:54:00:12:35:56").toString());
        table.release(MacAddress.parse("e1000", "02:00:00:00:00:57"));
        assertEquals("52:54:00:12:34:56", take(null).toString());
        assertEquals("52:54:00:12:34:57", take(null).toString());
    }

    /** Past :fe QEMU's search finds nothing and every further default is :ff (net/net.c). */
    @Test
    void whenEveryDefaultIsTakenTheNextAreFf() throws Exception {
        for (int last = 0x56; last <= 0xfe; last++) {
            assertEquals(0x5254_0012_3400L | last, take(null).bits());
        }
        assertEquals("52:54:00:12:34:ff", take(null).toString());
        assertEquals("52:54:00:12:34:ff", take(null).toString());
        table.release(MacAddress.parse("e1000", "52:54:00:12:34:60"));
        assertEquals("52:54:00:12:34:60", take(null).toString());
    }
}
