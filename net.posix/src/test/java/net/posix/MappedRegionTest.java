package net.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A memfd mapped twice in this process, as the two sides of vhost-user map one memory file. */
class MappedRegionTest {

    private static long mappingsOf(String name) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.contains("/memfd:" + name + " ")).count();
    }

    @Test
    void twoMappingsOfOneMemfdSeeEachOthersWrites() throws Exception {
        int fd = Memfd.create("patchbay-test-twice", 3 * 4096);
        try (MappedRegion whole = MappedRegion.map(fd, 0, 3 * 4096);
                MappedRegion middle = MappedRegion.map(fd, 4096 + 96, 200)) {
            assertEquals(200, middle.size(), "exactly the bytes asked for, though not page-aligned");
            assertNotEquals(whole.segment().address() + 4096 + 96, middle.segment().address(), "two mappings");
            whole.segment().set(JAVA_LONG, 4096 + 96, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, middle.segment().get(JAVA_LONG, 0));
            middle.segment().set(JAVA_BYTE, 199, (byte) 0x5a);
            assertEquals((byte) 0x5a, whole.segment().get(JAVA_BYTE, 4096 + 295));
            assertThrows(IndexOutOfBoundsException.class, () -> middle.segment().get(JAVA_BYTE, 200));
        } finally {
            Libc.close(fd);
        }
    }

    @Test
    void aClosedMappingThrowsInsteadOfFaultingAndLeavesNoTrace() throws Exception {
        String name = "patchbay-test-close-" + ProcessHandle.current().pid();
        int fd = Memfd.create(name, 8192);
        MappedRegion region;
        try {
            region = MappedRegion.map(fd, 0, 8192);
        } finally {
            Libc.close(fd); // the mapping keeps the file
        }
        region.segment().set(JAVA_LONG, 8, 42L);
        assertEquals(1, mappingsOf(name));
        region.close();
        region.close();
        assertTrue(region.isClosed());
        assertThrows(IllegalStateException.class, () -> region.segment().get(JAVA_LONG, 8));
        assertEquals(0, mappingsOf(name), "unmapped");
        assertFalse(Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.contains(name)));
    }

    @Test
    void anAnonymousRegionIsZeroedWritableAndThrowsOnceClosed() throws Exception {
        MappedRegion region = MappedRegion.anonymous(5 * 4096 + 1);
        assertEquals(5 * 4096 + 1, region.size());
        assertEquals(0, region.segment().get(JAVA_LONG, 4 * 4096));
        region.segment().set(JAVA_BYTE, 5 * 4096, (byte) 7);
        assertEquals(7, region.segment().get(JAVA_BYTE, 5 * 4096));
        region.close();
        assertThrows(IllegalStateException.class, () -> region.segment().get(JAVA_BYTE, 0));
        assertThrows(PosixException.class, () -> MappedRegion.anonymous(0));
    }

    @Test
    void aRegionPastTheFilesEndIsRefused() throws Exception {
        int fd = Memfd.create("patchbay-test-short", 4096);
        try {
            PosixException past = assertThrows(PosixException.class, () -> MappedRegion.map(fd, 0, 8192));
            assertEquals(Libc.EINVAL, past.errno());
            assertEquals("Invalid argument", past.getMessage());
            assertThrows(PosixException.class, () -> MappedRegion.map(fd, 4000, 100));
            assertThrows(PosixException.class, () -> MappedRegion.map(fd, Long.MAX_VALUE, 2));
            assertThrows(PosixException.class, () -> MappedRegion.map(fd, 0, 0));
            try (MappedRegion last = MappedRegion.map(fd, 4000, 96)) {
                assertEquals(96, last.size());
            }
        } finally {
            Libc.close(fd);
        }
        assertEquals(Libc.EBADF, assertThrows(PosixException.class, () -> MappedRegion.map(-1, 0, 4096)).errno());
    }

    @Test
    void aMemfdIsSealedAtItsSizeSoNoProcessCanShrinkItUnderAMapping() throws Throwable {
        MethodHandle ftruncate = Libc.function("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
        int fd = Memfd.create("patchbay-test-sealed", 8192);
        try (MappedRegion region = MappedRegion.map(fd, 0, 8192)) {
            assertEquals(-1, (int) ftruncate.invokeExact(Libc.callState(), fd, 0L));
            assertEquals(Libc.EPERM, Libc.errno(Libc.callState()));
            assertEquals(-1, (int) ftruncate.invokeExact(Libc.callState(), fd, 16384L));
            region.segment().set(JAVA_LONG, 8184, 1L); // the last page is still there
            assertEquals(1L, region.segment().get(JAVA_LONG, 8184));
        } finally {
            Libc.close(fd);
        }
    }
}
