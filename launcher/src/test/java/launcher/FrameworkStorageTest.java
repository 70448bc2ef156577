package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage's directories on a real file system. */
class FrameworkStorageTest {

    @TempDir
    Path temp;

    @Test
    void aPrivateDirectoryIsItsOwnersAloneAndNewEachTime() throws IOException {
        Path first = FrameworkStorage.createPrivateDirectory(temp, ".patchbay-1-");
        Path second = FrameworkStorage.createPrivateDirectory(temp, ".patchbay-1-");

        assertNotEquals(first, second);
        for (Path made : new Path[] {first, second}) {
            assertTrue(Files.isDirectory(made), made::toString);
            assertEquals(temp, made.getParent());
            assertTrue(made.getFileName().toString().matches("\\.patchbay-1-\\d+"), made::toString);
            // As Files.createTempDirectory makes them: the storage holds the bundles' data.
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)));
        }
    }
}
