package net.nic;

import org.osgi.service.component.annotations.Component;

/**
 * QEMU's table of default MAC addresses: a NIC given no {@code mac} gets the lowest free one of
 * 52:54:00:12:34:56 to 52:54:00:12:34:fe; a NIC given one inside that range takes it from the
 * table, so defaults never repeat an address in use; 00:00:00:00:00:00 counts as none given, as in
 * QEMU. Shared by every model of this bundle.
 */
@Component(service = MacTable.class)
public final class MacTable {

    private static final long BASE = 0x5254_0012_3400L;
    private static final int FIRST = 0x56;
    private static final int END = 0xff; // exclusive: when all are taken, QEMU hands out ...:ff

    private final int[] uses = new int[256];

    /**
     * @param given the {@code mac} property, or null
     * @return the address to use: {@code given}, or the lowest free default
     */
    synchronized MacAddress take(MacAddress given) {
        MacAddress mac = given;
        if (mac == null || mac.isZero()) {
            int free = FIRST;
            while (free < END && uses[free] > 0) {
                free++;
            }
            mac = new MacAddress(BASE | free);
        }
        if ((mac.bits() & ~0xffL) == BASE) {
            uses[(int) (mac.bits() & 0xff)]++;
        }
        return mac;
    }

    /** Gives an address back when its NIC closes. */
    synchronized void release(MacAddress mac) {
        if ((mac.bits() & ~0xffL) == BASE && uses[(int) (mac.bits() & 0xff)] > 0) {
            uses[(int) (mac.bits() & 0xff)]--;
        }
    }
}
