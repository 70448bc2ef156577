package net.driverkit;

import net.posix.FdChannel;
import net.posix.Libc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.api.NetException;
import org.junit.jupiter.api.Test;

class InheritedDescriptorsTest {

    @Test
    void numbersOnlyInQemusWords() throws NetException {
        assertEquals(7, InheritedDescriptors.parse("7"));
        for (String bad : new String[] {"abc", "-1", "", "3x", "99999999999"}) {
            assertEquals("Invalid file descriptor number '" + bad + "'",
                    assertThrows(NetException.class, () -> InheritedDescriptors.parse(bad)).getMessage());
        }
    }

    @Test
    void aDescriptorIsTakenOverOnceSoAReusedNumberIsNeverSeized() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        try (FdChannel other = FdChannel.adopt(pair[1])) {
            FdChannel first = InheritedDescriptors.adopt("n0", pair[0]);
            first.close();
            // The number is free again; the next socket made in this process is given it.
            try (FdChannel reuse = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
                assertEquals("n1: Can't use file descriptor " + pair[0] + ": already taken over (an inherited"
                        + " descriptor serves one netdev, once)",
                        assertThrows(NetException.class, () -> InheritedDescriptors.adopt("n1", pair[0])).getMessage());
                assertEquals(Libc.SOCK_DGRAM, reuse.intOption(Libc.SOL_SOCKET, Libc.SO_TYPE),
                        "whatever has the number now is left open");
            }
        }
    }

    @Test
    void aNumberThatIsNotOpenIsRefusedAndStaysAvailable() {
        assertEquals("n0: Can't use file descriptor 99999: Bad file descriptor",
                assertThrows(NetException.class, () -> InheritedDescriptors.adopt("n0", 99999)).getMessage());
        assertEquals("n0: Can't use file descriptor 99999: Bad file descriptor",
                assertThrows(NetException.class, () -> InheritedDescriptors.adopt("n0", 99999)).getMessage(),
                "not taken, so the same answer again");
    }

    @Test
    void underTheLauncherANumberItDidNotInheritIsRefusedAndLeftAlone() throws Exception {
        try (FdChannel ours = FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0)) {
            System.setProperty(InheritedDescriptors.INHERITED_PROPERTY, "0,1,2");
            assertEquals("n0: Can't use file descriptor " + ours.fd() + ": Bad file descriptor",
                    assertThrows(NetException.class, () -> InheritedDescriptors.take("n0", Integer.toString(ours.fd())))
                            .getMessage(), "Patchbay's own descriptor, refused in QEMU's words for one not open");
            assertEquals(Libc.SOCK_DGRAM, ours.intOption(Libc.SOL_SOCKET, Libc.SO_TYPE), "and left open");
        } finally {
            System.clearProperty(InheritedDescriptors.INHERITED_PROPERTY);
        }
    }
}
