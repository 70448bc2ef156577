package net.example.udpwire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import net.api.ErrorClass;
import net.api.NetException;
import org.junit.jupiter.api.Test;

class HostPortTest {

    @Test
    void readsIpv4Ipv6AndTheWildcard() throws NetException {
        assertEquals("127.0.0.1:5555", HostPort.format(HostPort.parse("127.0.0.1:5555")));
        assertEquals("[0:0:0:0:0:0:0:1]:0", HostPort.format(HostPort.parse("[::1]:0")));
        InetSocketAddress any = HostPort.parse(":65535");
        assertEquals(65535, any.getPort());
        assertTrue(any.getAddress().isAnyLocalAddress());
    }

    @Test
    void rejectsBadAddressesInQemuWords() {
        assertError("host address 'nocolon' doesn't contain ':' separating host from port", "nocolon");
        assertError("port number '65536' is invalid", "127.0.0.1:65536");
        assertError("port number '' is invalid", "127.0.0.1:");
        assertError("port number '-1' is invalid", "127.0.0.1:-1");
        assertError("port number 'http' is invalid", "127.0.0.1:http");
        assertError("address resolution failed for example.org:80: not an IP address", "example.org:80");
    }

    private static void assertError(String message, String text) {
        NetException e = assertThrows(NetException.class, () -> HostPort.parse(text));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals(message, e.getMessage());
    }
}
