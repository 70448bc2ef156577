package net.backend.vde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.api.ErrorClass;
import net.api.NetException;
import net.testlib.Installed;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every option error of {@code -netdev vde} with QEMU 7.2's message; the same rows given to the real
 * {@code qemu-system-x86_64} (lane qemu) must print the same. {@code DIR} is an empty directory (no
 * switch), {@code FILE} a plain file.
 */
@Timeout(60)
class VdeOptionErrorsTest {

    private static final String MESSAGES = """
            sock=/nonexistent                         | Could not open vde: No such file or directory
            sock=DIR                                  | Could not open vde: No such file or directory
            sock=FILE                                 | Could not open vde: Not a directory
            sock=DIR,port=70000                       | Parameter 'port' expects uint16_t
            sock=DIR,port=-1                          | Parameter 'port' expects a uint64 value
            sock=DIR,port=x,mode=y                    | Parameter 'port' expects a uint64 value
            sock=DIR,mode=abc                         | Parameter 'mode' expects a uint64 value
            sock=DIR,mode=0777777777777               | Parameter 'mode' expects uint16_t
            sock=DIR,mode=0x10000                     | Parameter 'mode' expects uint16_t
            sock=DIR,bogus=1                          | Invalid parameter 'bogus'
            """;

    @AutoClose
    private static final Fixture fx = new Fixture();
    @TempDir
    static Path work;
    private static Path dir;
    private static Path file;

    @BeforeAll
    static void places() throws Exception {
        dir = Files.createDirectory(work.resolve("empty"));
        file = Files.writeString(work.resolve("file"), "");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    void qemuMessages(String options, String message) throws Exception {
        assertEquals(message, fx.error("vde,id=e," + expand(options)), "Patchbay");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "a refused netdev leaves no socket behind");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    @QemuTest
    void qemuPrintsTheSameMessages(String options, String message) throws Exception {
        Installed.require(Qemu.BINARY);
        assertEquals(message, Qemu.netdevError("vde,id=e," + expand(options)), "QEMU 7.2");
    }

    @Test
    void aRejectedNetdevIsNotThere() {
        fx.error("vde,id=left,sock=" + dir);
        NetException e = org.junit.jupiter.api.Assertions.assertThrows(NetException.class, () -> fx.client("left"));
        assertEquals(ErrorClass.DeviceNotFound, e.errorClass());
    }

    private static String expand(String options) {
        return options.replace("DIR", dir.toString()).replace("FILE", file.toString());
    }
}
