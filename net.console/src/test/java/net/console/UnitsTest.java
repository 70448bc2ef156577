package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class UnitsTest {

    @Test
    void threeSignificantDigitsWithAnSiPrefix() {
        assertEquals("0", Units.si(0));
        assertEquals("0", Units.si(0.01));
        assertEquals("0.5", Units.si(0.5));
        assertEquals("7", Units.si(7));
        assertEquals("999", Units.si(999));
        assertEquals("1.00k", Units.si(1000));
        assertEquals("1.50k", Units.si(1500));
        assertEquals("12.3M", Units.si(12_345_678));
        assertEquals("100G", Units.si(100e9));
        assertEquals("2.50T", Units.si(2.5e12));
        assertEquals("2500T", Units.si(2.5e15), "no prefix past tera");
    }

    @Test
    void roundingUpCarriesIntoTheNextPrefix() {
        assertEquals("1.00k", Units.si(999.6));
        assertEquals("1.00M", Units.si(999_999));
        assertEquals("10.0k", Units.si(9_999));
        assertEquals("100k", Units.si(99_990));
    }

    @Test
    void nothingMeasuredIsZero() {
        assertEquals("0", Units.si(Double.NaN));
        assertEquals("0", Units.si(-3));
    }

    @Test
    void aRateIsANumberSoItsColumnIsRightAligned() {
        assertEquals("""
                NAME  RX-BITS/S
                s0        1.50M
                h1            0
                """, new Table("NAME", "RX-BITS/S").row("s0", new Rate(1_500_000)).row("h1", new Rate(0)).toString());
    }
}
