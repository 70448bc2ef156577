package net.backend.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** QEMU's host:port rules: inet_aton hosts and strtol(…, 0) ports cut to 16 bits. */
class HostPortTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            127.0.0.1:11122 | 127.0.0.1:11122
            :11122          | 0.0.0.0:11122
            localhost:80    | 127.0.0.1:80
            127.1:0x10      | 127.0.0.1:16
            10.1.2:010      | 10.1.0.2:8
            0x7f000001:80zz | 127.0.0.1:80
            1.2.3.4:-1      | 1.2.3.4:65535
            1.2.3.4:65537   | 1.2.3.4:1
            1.2.3.4: 22     | 1.2.3.4:22
            """)
    void parses(String text, String expected) throws Exception {
        InetSocketAddress address = HostPort.parse(text);
        assertEquals(expected, HostPort.format(address));
    }

    @ParameterizedTest
    @CsvSource({"1.2.3.4.5", "256.1.1.1", "1..2", "1.2.3.", "08", "0x", "1.16777216.1", "abc"})
    void rejectsWhatInetAtonRejects(String text) {
        assertNull(HostPort.parseIPv4(text));
    }
}
