package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.testlib.Descriptors;
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
 * The option errors of {@code -netdev vhost-user} with QEMU 7.2's messages; the same rows given to
 * the real {@code qemu-system-x86_64} (lane qemu), with the same chardev, must print the same.
 * {@code c0} is a unix socket server that does not wait for its client.
 */
@Timeout(60)
class VhostUserOptionErrorsTest {

    private static final String MESSAGES = """
            chardev=c0,queues=0                 | vhost-user number of queues must be in range [1, 1024]
            chardev=c0,queues=1025              | vhost-user number of queues must be in range [1, 1024]
            chardev=c0,queues=-1                | vhost-user number of queues must be in range [1, 1024]
            chardev=c0,queues=x                 | Parameter 'queues' expects an int64 value
            chardev=c0,vhostforce=x             | Parameter 'vhostforce' expects 'on' or 'off'
            chardev=nope                        | chardev "nope" not found
            chardev=nope,queues=0               | chardev "nope" not found
            queues=2                            | Parameter 'chardev' is missing
            chardev=c0,bogus=1                  | Invalid parameter 'bogus'
            """;

    @AutoClose
    private static final Fixture fx = new Fixture();
    @TempDir
    static Path work;

    @BeforeAll
    static void chardev() throws Exception {
        fx.chardev(chardevOptions(work.resolve("patchbay.sock")));
    }

    private static String chardevOptions(Path socket) {
        return "socket,id=c0,path=" + socket + ",server=on,wait=off";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    void qemuMessages(String options, String message) {
        assertEquals(message, fx.error("vhost-user,id=v0," + options), "Patchbay");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    @QemuTest
    void qemuPrintsTheSameMessages(String options, String message) throws Exception {
        Installed.require(Qemu.BINARY);
        assertEquals(message, Qemu.netdevError(List.of("-chardev", chardevOptions(work.resolve("qemu.sock"))),
                "vhost-user,id=v0," + options), "QEMU 7.2");
    }

    /** A TCP chardev passes no descriptors: refused as QEMU refuses it (QEMU: any TCP chardev, here a connected one). */
    @Test
    void aTcpChardevIsRefused() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fx.chardev("socket,id=t0,host=127.0.0.1,port=" + listener.getLocalPort());
            assertEquals("chardev \"t0\" does not support FD passing", fx.error("vhost-user,id=v2,chardev=t0"));
        }
    }

    @Test
    @QemuTest
    void qemuRefusesATcpChardevTheSame() throws Exception {
        Installed.require(Qemu.BINARY);
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertEquals("chardev \"t0\" does not support FD passing", Qemu.netdevError(
                    List.of("-chardev", "socket,id=t0,host=127.0.0.1,port=" + listener.getLocalPort()),
                    "vhost-user,id=v2,chardev=t0"));
        }
    }

    /**
     * A refused netdev gives its chardev back; a deleted one unmaps its memory and closes its memfd
     * and eventfds (counted after a first round, which loads classes and opens jars).
     */
    @Test
    void refusedAndDeletedNetdevsLeaveNoDescriptorsNorMappings() throws Exception {
        for (int round = 0; round < 6; round++) {
            if (round == 1) {
                before = Descriptors.openCount();
            }
            fx.error("vhost-user,id=v0,chardev=c0,queues=2000");
            fx.netdev("vhost-user,id=v1,chardev=c0,vhostforce=on,queues=2");
            assertEquals(1, mappings(), "the netdev's shared memory is mapped");
            fx.runtime.netdevDel("v1");
            assertEquals(0, mappings(), "unmapped with the netdev");
        }
        assertEquals(before, Descriptors.openCount());
    }

    private int before;

    private static long mappings() throws Exception {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.filter(line -> line.contains("patchbay-vhost-user-v1")).count();
        }
    }
}
