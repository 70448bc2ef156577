package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.api.ErrorClass;
import net.api.NetException;
import net.testkit.TestRuntime;
import net.testlib.Installed;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every option error of {@code -netdev user} with QEMU 7.2's message. Each row is also given to the
 * real {@code qemu-system-x86_64} (lane qemu), which must print the same message.
 */
@Timeout(60)
class UserOptionErrorsTest {

    @AutoClose
    private static final TestRuntime fx = new TestRuntime(1).netdevType("user", new UserDriver());

    private static final String MESSAGES = """
            id=e,net=10.0.2.0/33                         | Invalid netmask provided (must be in range 4-32)
            id=e,net=10.0.2.0/3                          | Invalid netmask provided (must be in range 4-32)
            id=e,net=10.0.2.0/                           | Invalid netmask provided (must be in range 4-32)
            id=e,net=foo                                 | Failed to parse netmask
            id=e,net=10.0.2.0/x                          | Failed to parse netmask (trailing chars)
            id=e,net=10.0.2.0/255.x                      | Failed to parse netmask (trailing chars)
            id=e,net=10.1.0.0/16,host=10.0.2.2           | Host doesn't belong to network
            id=e,ip=10.0.5.0,net=10.0.3.0/24,host=10.0.5.2 | Host doesn't belong to network
            id=e,host=foo                                | Failed to parse host
            id=e,dns=10.0.2.2                            | DNS must be different from host
            id=e,dns=x                                   | Failed to parse DNS
            id=e,restrict=on,dns=1.2.3.4                 | DNS doesn't belong to network
            id=e,dhcpstart=10.0.2.2                      | DHCP must be different from host and DNS
            id=e,dhcpstart=10.0.2.3                      | DHCP must be different from host and DNS
            id=e,dhcpstart=1.2.3.4                       | DHCP doesn't belong to network
            id=e,dhcpstart=x                             | Failed to parse DHCP start address
            id=e,smbserver=x                             | Failed to parse SMB address
            id=e,ipv4=off,ipv6=off                       | IPv4 and IPv6 disabled
            id=e,ipv4=off,net=10.0.0.0/8                 | IPv4 disabled but netmask/host/dns provided
            id=e,ipv6=on,dns=10.0.2.9                    | IPv4 disabled but netmask/host/dns provided
            id=e,ipv6=off,ipv6-host=fec0::5              | IPv6 disabled but prefix/host6/dns6 provided
            id=e,ipv4=on,ipv6-dns=fec0::5                | IPv6 disabled but prefix/host6/dns6 provided
            id=e,ipv6-prefix=zz                          | Failed to parse IPv6 prefix
            id=e,ipv6-net=zz                             | Failed to parse IPv6 prefix
            id=e,ipv6-prefixlen=127                      | Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)
            id=e,ipv6-prefixlen=-1                       | Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)
            id=e,ipv6-net=fec0::/200                     | Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)
            id=e,ipv6-net=fec0::/x                       | Parameter 'ipv6-prefixlen' expects a number
            id=e,ipv6-host=x                             | Failed to parse IPv6 host
            id=e,ipv6-host=fec1::1                       | IPv6 Host doesn't belong to network
            id=e,ipv6-net=fec1::/48,ipv6-host=fec1::1:0:0:2,ipv6-dns=x | Failed to parse IPv6 DNS
            id=e,restrict=on,ipv6-dns=fec1::3            | IPv6 DNS doesn't belong to network
            id=e,domainname=                             | 'domainname' parameter cannot be empty
            id=e,hostfwd=foo                             | Invalid host forwarding rule 'foo' (No : separators)
            id=e,hostfwd=x:1-:2                          | Invalid host forwarding rule 'x:1-:2' (Bad protocol name)
            id=e,hostfwd=unix:/tmp/x-:2                  | Invalid host forwarding rule 'unix:/tmp/x-:2' (Bad protocol name)
            id=e,hostfwd=tcp:1                           | Invalid host forwarding rule 'tcp:1' (Missing : separator)
            id=e,hostfwd=tcp:zz:1-:2                     | Invalid host forwarding rule 'tcp:zz:1-:2' (Bad host address)
            id=e,hostfwd=tcp::1                          | Invalid host forwarding rule 'tcp::1' (Bad host port separator)
            id=e,hostfwd=tcp::99999-:2                   | Invalid host forwarding rule 'tcp::99999-:2' (Bad host port)
            id=e,hostfwd=tcp::x-:2                       | Invalid host forwarding rule 'tcp::x-:2' (Bad host port)
            id=e,hostfwd=tcp::1-2                        | Invalid host forwarding rule 'tcp::1-2' (Missing guest address)
            id=e,hostfwd=tcp::1-zz:2                     | Invalid host forwarding rule 'tcp::1-zz:2' (Bad guest address)
            id=e,hostfwd=tcp::1-:0                       | Invalid host forwarding rule 'tcp::1-:0' (Bad guest port)
            id=e,hostfwd=udp:127.0.0.1:0x10-:65536       | Invalid host forwarding rule 'udp:127.0.0.1:0x10-:65536' (Bad guest port)
            id=e,guestfwd=foo                            | Invalid guest forwarding rule 'foo'
            id=e,guestfwd=udp:10.0.2.9:1-cmd:true        | Invalid guest forwarding rule 'udp:10.0.2.9:1-cmd:true'
            id=e,guestfwd=tcp:10.0.2.9:0-cmd:true        | Invalid guest forwarding rule 'tcp:10.0.2.9:0-cmd:true'
            id=e,guestfwd=tcp:10.0.2.9:x-cmd:true        | Invalid guest forwarding rule 'tcp:10.0.2.9:x-cmd:true'
            id=e,smb=/tmp                                | Could not find '/usr/sbin/smbd', please install it
            id=e,restrict=maybe                          | Parameter 'restrict' expects 'on' or 'off'
            id=e,bogus=1                                 | Invalid parameter 'bogus'
            """;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    void qemuMessages(String options, String message) {
        assertEquals(message, fx.error("user," + options), "Patchbay");
    }

    /** The same table given to the real QEMU, which must print the same message. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    @QemuTest
    void qemuPrintsTheSameMessages(String options, String message) throws Exception {
        Installed.require("qemu-system-x86_64");
        assertEquals(message, Qemu.netdevError("user," + options), "QEMU 7.2");
    }

    @Test
    void aRuleOnAPortInUseFailsInQemusWords() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            String rule = "tcp:127.0.0.1:" + taken.getLocalPort() + "-:22";
            assertEquals("Could not set up host forwarding rule '" + rule + "'", fx.error("user,id=busy,hostfwd=" + rule));
        }
    }

    @Test
    void aRejectedNetdevLeavesNothingBehind() {
        fx.error("user,id=left,dns=10.0.2.2");
        NetException e = assertThrows(NetException.class, () -> fx.client("left"));
        assertEquals(ErrorClass.DeviceNotFound, e.errorClass());
    }

    @Test
    void acceptedCombinationsOpenWithQemusInfo() throws Exception {
        for (String[] row : new String[][] {
            {"user,id=ok1", "net=10.0.2.0,restrict=off"},
            {"user,id=ok2,net=192.168.76.0/24,dhcpstart=192.168.76.9,restrict=on", "net=192.168.76.0,restrict=on"},
            {"user,id=ok3,ip=10.0.5.7", "net=10.0.5.0,restrict=off"},
            {"user,id=ok4,net=172.20.0.0", "net=172.16.0.0,restrict=off"},
            {"user,id=ok5,net=10.9.0.0/255.255.0.0,ipv6-net=fec1::/48,ipv6-host=fec1::1:0:0:2,dnssearch=a.example,"
                    + "domainname=example,hostname=h,tftp=/tmp,bootfile=x,tftp-server-name=t", "net=10.9.0.0,restrict=off"},
            {"user,id=ok6,ipv6=on", "net=10.0.2.0,restrict=off"},
            {"user,id=ok7,hostfwd=tcp:127.0.0.1:0-:22,guestfwd=tcp:10.0.2.100:1234-cmd:cat", "net=10.0.2.0,restrict=off"},
        }) {
            String id = fx.netdev(row[0]);
            assertEquals(row[1], fx.info(id), row[0]);
            fx.runtime.netdevDel(id);
        }
    }
}
