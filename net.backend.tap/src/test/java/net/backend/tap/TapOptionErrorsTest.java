package net.backend.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.testlib.Descriptors;
import net.testlib.Host;
import net.testlib.KernelTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Option combinations QEMU 7.2 rejects, with its words, and a process without CAP_NET_ADMIN. */
@Timeout(60)
class TapOptionErrorsTest {

    @AutoClose
    private static final Fixture fx = new Fixture();

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            tap,id=e,fd=3,ifname=x           | ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=
            tap,id=e,fd=3,queues=2           | ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=
            tap,id=e,fds=3:4,script=no       | ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=
            tap,id=e,helper=/x,ifname=x      | ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=
            tap,id=e,vhostfds=5,script=no    | vhostfds= is invalid if fds= wasn't specified
            tap,id=e,vhost=on,script=no      | vhost-net requested but could not be initialized
            tap,id=e,vhostforce=on,script=no | vhost-net requested but could not be initialized
            tap,id=e,vhostfd=5,script=no     | vhost-net requested but could not be initialized
            tap,id=e,vhost=off,vhostfd=5     | vhostfd(s)= is not valid without vhost
            tap,id=e,fd=foo                  | Invalid file descriptor number 'foo'
            tap,id=e,fd=999                  | e: Can't use file descriptor 999: Bad file descriptor
            tap,id=e,fds=999:998             | e: Can't use file descriptor 999: Bad file descriptor
            tap,id=e,queues=0,script=no      | Device 'tap' could not be initialized
            tap,id=e,sndbuf=x                | Parameter 'sndbuf' expects a size value
            tap,id=e,queues=-1               | Parameter 'queues' expects a uint64 value
            tap,id=e,queues=4294967296       | Parameter 'queues' expects uint32_t
            tap,id=e,poll-us=-1              | Parameter 'poll-us' expects a uint64 value
            tap,id=e,poll-us=1.5             | Parameter 'poll-us' expects a uint64 value
            tap,id=e,poll-us=0x100000000     | Parameter 'poll-us' expects uint32_t
            tap,id=e,fd=3,poll-us=-1         | Parameter 'poll-us' expects a uint64 value
            tap,id=e,bogus=1                 | Invalid parameter 'bogus'
            bridge,id=e,ifname=x             | Invalid parameter 'ifname'
            """)
    void rejected(String options, String message) {
        assertEquals(message, fx.error(options));
    }

    /** A descriptor that is no tap is refused and closed, as QEMU closes it. */
    @Test
    void aDescriptorThatIsNoTap() throws Exception {
        int fd = Descriptors.handOver(net.posix.Libc.open("/dev/null", net.posix.Libc.O_RDWR));
        assertEquals("Unable to query TUNGETIFF on FD " + fd + ": Inappropriate ioctl for device",
                fx.error("tap,id=e,fd=" + fd));
    }

    @Test
    @KernelTest // opens a real tap
    void vhostOffAndPollUsAreAccepted() throws Exception {
        String name = Host.name("pbt");
        try {
            fx.netdev("tap,id=ok,ifname=" + name + ",script=no,downscript=no,vhost=off,vhostforce=off,poll-us=50");
            fx.runtime.netdevDel("ok");
        } finally {
            Host.quietly("ip", "link", "del", name);
        }
    }

    /** A child JVM whose capabilities {@code setpriv} dropped opens a tap through the real driver. */
    @Test
    @KernelTest // setpriv may drop capabilities from its bounding set only as root
    void withoutCapNetAdminTheKernelRefuses() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        String name = Host.name("pbt");
        Host.Result r = Host.run(30, "setpriv", "--inh-caps=-all", "--bounding-set=-all", "--", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NoCapabilityMain.class.getName(), name);
        assertEquals(0, r.status(), r.output());
        List<String> lines = r.output().lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(List.of("error: could not configure /dev/net/tun (" + name + "): Operation not permitted"), lines,
                r.output());
        assertTrue(!Host.exists(name));
    }
}
