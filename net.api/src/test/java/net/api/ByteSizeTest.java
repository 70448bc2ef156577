package net.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({"65536,65536", "64k,65536", "64K,65536", "1M,1048576", "2G,2147483648", "512b,512", "1.5k,1536",
        "0,0", "1T,1099511627776"})
    void suffixesAreBinary(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text).bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k", "-1", "12q", "99999999999999999999", "16E"})
    void notASize(String text) {
        assertEquals("a size value", assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text)).getMessage());
    }
}
