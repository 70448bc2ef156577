package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import net.api.ErrorClass;
import net.api.NetException;
import net.testlib.Installed;
import net.testlib.KernelTest;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every option error of {@code -netdev l2tpv3} with QEMU 7.2's message. Each row is also given to
 * the real {@code qemu-system-x86_64} (lane qemu), which must print the same message: the table
 * cannot drift from QEMU.
 */
@Timeout(60)
class L2tpv3OptionErrorsTest {

    @AutoClose
    private static final Fixture fx = new Fixture();

    /** Rows whose errors come before any socket is made, or with a UDP socket: no privilege needed. */
    private static final String MESSAGES = """
            id=e                                                               | Parameter 'src' is missing
            id=e,dst=127.0.0.1,txsession=1                                     | Parameter 'src' is missing
            id=e,src=127.0.0.1                                                 | Parameter 'dst' is missing
            id=e,src=127.0.0.1,dst=127.0.0.1                                   | Parameter 'txsession' is missing
            id=e,src=127.0.0.1,dst=127.0.0.1,txcookie=1,udp=on                 | Parameter 'txsession' is missing
            id=e,src=127.0.0.1,dst=127.0.0.1,offset=300,txcookie=x             | Parameter 'txcookie' expects a uint64 value
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=x                       | Parameter 'txsession' expects a uint64 value
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=-1                      | Parameter 'txsession' expects a uint64 value
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=0x100000000             | Parameter 'txsession' expects uint32_t
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,rxsession=0x1ffffffff | Parameter 'rxsession' expects uint32_t
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=010,txcookie=0xffffffffffffffff,rxcookie=18446744073709551616 | Parameter 'rxcookie' expects a uint64 value
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,offset=-1             | Parameter 'offset' expects a uint64 value
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,offset=257            | offset must be less than 256 bytes
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,offset=0x101,udp=on   | offset must be less than 256 bytes
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,offset=300,txcookie=1 | offset must be less than 256 bytes
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,offset=256,txcookie=1 | require both 'rxcookie' and 'txcookie' or neither
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,rxcookie=1            | require both 'rxcookie' and 'txcookie' or neither
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on                | need both src and dst port for udp
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,srcport=1      | need both src and dst port for udp
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,dstport=1      | need both src and dst port for udp
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=maybe             | Parameter 'udp' expects 'on' or 'off'
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,counter=2             | Parameter 'counter' expects 'on' or 'off'
            id=e,src=nosuch.invalid,dst=127.0.0.1,txsession=1,udp=on,srcport=1,dstport=2 | could not resolve src, errno = Name or service not known
            id=e,src=,dst=127.0.0.1,txsession=1                                | could not resolve src, errno = Name or service not known
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,ipv6=on               | could not resolve src, errno = Address family for hostname not supported
            id=e,src=::1,dst=::1,txsession=1                                   | could not resolve src, errno = Address family for hostname not supported
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,srcport=x,dstport=2 | could not resolve src, errno = Servname not supported for ai_socktype
            id=e,src=1.2.3.4,dst=127.0.0.1,txsession=1,udp=on,srcport=1,dstport=2 | could not bind socket err=99
            # srcport=0, not 1: without root an IPv6 bind refuses a port below 1024 (err=13, QEMU's too) before the address
            id=e,src=::2,dst=::1,txsession=1,ipv6=on,udp=on,srcport=0,dstport=2 | could not bind socket err=99
            id=e,src=127.0.0.1,dst=nosuch.invalid,txsession=1,udp=on,srcport=0,dstport=2 | could not resolve dst, error = Name or service not known
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,srcport=0,dstport=y | could not resolve dst, error = Servname not supported for ai_socktype
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,bogus=1               | Invalid parameter 'bogus'
            """;

    /** IP mode rows whose errors come after the raw protocol-115 socket is made: only root may make it. */
    private static final String MESSAGES_PAST_A_RAW_SOCKET = """
            id=e,src=1.2.3.4,dst=127.0.0.1,txsession=1                         | could not bind socket err=99
            id=e,src=127.0.0.1,dst=::1,txsession=1                             | could not resolve dst, error = Address family for hostname not supported
            """;

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    void qemuMessages(String options, String message) {
        assertEquals(message, fx.error("l2tpv3," + options), "Patchbay");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES_PAST_A_RAW_SOCKET)
    @KernelTest
    void qemuMessagesPastARawSocket(String options, String message) {
        qemuMessages(options, message);
    }

    /** The same table given to the real QEMU, which must print the same message. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES)
    @QemuTest
    void qemuPrintsTheSameMessages(String options, String message) throws Exception {
        Installed.require("qemu-system-x86_64");
        assertEquals(message, Qemu.netdevError("l2tpv3," + options), "QEMU 7.2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = MESSAGES_PAST_A_RAW_SOCKET)
    @QemuTest
    @KernelTest
    void qemuPrintsTheSameMessagesPastARawSocket(String options, String message) throws Exception {
        qemuPrintsTheSameMessages(options, message);
    }

    /** Where Patchbay and QEMU differ on purpose (see the README). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,srcport=65536,dstport=2 | could not resolve src, errno = Servname not supported for ai_socktype
            id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1,udp=on,srcport=l2f,dstport=2 | could not resolve src, errno = Servname not supported for ai_socktype
            id=e,src=example.org,dst=127.0.0.1,txsession=1                     | could not resolve src, errno = Name or service not known
            """)
    void patchbayOnlyMessages(String options, String message) {
        assertEquals(message, fx.error("l2tpv3," + options));
    }

    @Test
    @QemuTest
    @KernelTest // setpriv changes QEMU's user and capability sets: root only
    void withoutCapNetRawTheRawSocketFailsInQemusWords() throws Exception {
        // The runtime's own process is root here; QEMU run without capabilities shows the text, and
        // Patchbay's errno mapping is the same call (EPERM from socket(2)).
        Installed.require("qemu-system-x86_64");
        Installed.require("setpriv");
        String qemu = Qemu.netdevError("l2tpv3,id=e,src=127.0.0.1,dst=127.0.0.1,txsession=1", "setpriv", "--reuid=65534",
                "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all");
        assertEquals("socket creation failed, errno = 1", qemu);
        assertEquals(1, Errno.of(new net.posix.PosixException(1, "Operation not permitted")));
        assertEquals(1, Errno.of(new IOException("Operation not permitted")));
        assertEquals(99, Errno.of(new java.net.BindException("Cannot assign requested address")));
    }

    @Test
    void aRejectedNetdevLeavesNothingBehind() {
        fx.error("l2tpv3,id=left,src=1.2.3.4,dst=127.0.0.1,txsession=1");
        NetException e = org.junit.jupiter.api.Assertions.assertThrows(NetException.class, () -> fx.client("left"));
        assertEquals(ErrorClass.DeviceNotFound, e.errorClass());
    }

    @Test
    void acceptedCombinationsOpen() throws Exception {
        assertOpen("l2tpv3,id=ok3,src=localhost,dst=127.0.0.1,udp=on,srcport=0,dstport=9,txsession=7,counter=on");
    }

    @Test
    @KernelTest // IP mode: raw sockets
    void acceptedIpModeCombinationsOpen() throws Exception {
        // QEMU ignores the ports in IP mode, takes every C base, and 256 is the largest offset.
        assertOpen("l2tpv3,id=ok1,src=127.0.0.1,dst=127.0.0.1,txsession=1,srcport=1,offset=256",
                "l2tpv3,id=ok2,src=::1,dst=::1,ipv6=on,txsession=0xffffffff,rxsession=010,cookie64=off,"
                        + "txcookie=0xffffffffffffffff,rxcookie=1,pincounter=on");
    }

    private static void assertOpen(String... netdevs) throws Exception {
        for (String options : netdevs) {
            String id = fx.netdev(options);
            assertEquals(L2tpv3Backend.INFO, fx.client(id).info());
            fx.runtime.netdevDel(id);
        }
    }
}
