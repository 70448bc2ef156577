package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.api.NetException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * QMP text read and written as QEMU 7.2 does, without QEMU: every expected value here is what
 * {@code qemu-system-x86_64} 7.2 answered when the input was sent as a request's {@code id}
 * (launcher's DialectTableTest asks the real binary).
 */
class QmpJsonTest {

    /** Reads one value and writes it back, as an echoed id goes through the server. */
    private static String echo(String json) throws NetException {
        return new String(QmpJsonWriter.write(QmpJsonParser.parse(json)), StandardCharsets.US_ASCII);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            18446744073709551615            | 18446744073709551615
            18446744073709551616            | 1.8446744073709552e+19
            -9223372036854775808            | -9223372036854775808
            -9223372036854775809            | -9.2233720368547758e+18
            1.5                             | 1.5
            1e3                             | 1000
            0.1                             | 0.10000000000000001
            1.0                             | 1
            1e300                           | 1.0000000000000001e+300
            1e400                           | inf
            -1e400                          | -inf
            5e-324                          | 4.9406564584124654e-324
            0.00001                         | 1.0000000000000001e-05
            123456.789                      | 123456.789
            1e16                            | 10000000000000000
            1e17                            | 1e+17
            -0                              | 0
            -0.0                            | -0
            1.5E-3                          | 0.0015
            """)
    void numbersAsQemuKeepsAndPrintsThem(String in, String out) throws NetException {
        assertEquals(out, echo(in));
    }

    @Test
    void stringsAreAsciiWithUpperCaseEscapesAndSurrogatePairs() throws NetException {
        assertEquals("\"a\\nb\\tc\\\"d\\\\e\\u007F\\u0080\\uD83D\\uDE00/\\u2028\"",
                echo("\"a\\nb\\tc\\\"d\\\\e\\u007f\\u0080\\ud83d\\ude00/\\u2028\""));
        assertEquals("\"\\u00E9\\u20AC\\uD83D\\uDE00\"", echo("\"é€😀\""));
        assertEquals("\"\\b\\f\\r/\"", echo("\"\\b\\f\\r\\/\""));
        assertEquals("\"\\u0000\"", echo("\"\\u0000\""));
        assertEquals("\"it's\"", echo("'it\\'s'"));
    }

    @Test
    void membersComeInQdictOrderAndSpacing() throws NetException {
        assertEquals("{\"d\": [1, 2.5, -3, true, false, null, \"s\"], \"a\": [], \"b\": 1, \"c\": {}}",
                echo("{\"b\": 1, \"a\": [], \"c\": {}, \"d\": [1, 2.5, -3, true, false, null, \"s\"]}"));
        assertEquals("{\"aa\": 5, \"execute\": 1, \"z\": 4, \"arguments\": 3, \"id\": 2}",
                echo("{\"execute\": 1, \"id\": 2, \"arguments\": 3, \"z\": 4, \"aa\": 5}"));
        // micro and minor share a bucket: the one added last comes first
        assertEquals("{\"micro\": 0, \"minor\": 2, \"major\": 7}", echo("{\"major\": 7, \"minor\": 2, \"micro\": 0}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            {"a": 1, "a": 2}      | JSON parse error, duplicate key
            {"a": tru}            | JSON parse error, invalid keyword 'tru'
            {"a" "b"}             | JSON parse error, missing : in object pair
            {"a": 1 "b": 2}       | JSON parse error, expected separator in dict
            [1 2]                 | JSON parse error, expected separator in list
            [1,]                  | JSON parse error, expecting value
            {1: 2}                | JSON parse error, key is not a string in object
            "\\x"                 | JSON parse error, invalid escape sequence in string
            "\\u12"               | JSON parse error, \\u12" is not a valid Unicode character
            "\\ud800"             | JSON parse error, \\ud800 is not a valid Unicode character
            "\\ud800\\u0041"      | JSON parse error, \\ud800 is not a valid Unicode character
            "\\uFFFF"             | JSON parse error, \\uFFFF is not a valid Unicode character
            1 2                   | Expecting at most one JSON value
            01                    | JSON parse error, stray '01'
            `{"a": 1.}`           | JSON parse error, stray '1.}'
            """)
    void errorsInQemusWords(String in, String desc) {
        assertEquals(desc, assertThrows(NetException.class, () -> QmpJsonParser.parse(in)).getMessage());
    }

    @Test
    void invalidUtf8AndNoncharactersAreRefusedAndC080IsNul() throws NetException {
        for (byte[] bad : List.of(new byte[] {'"', (byte) 0xC3, '"'},
                new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},
                new byte[] {'"', (byte) 0xEF, (byte) 0xBF, (byte) 0xBF, '"'})) {
            assertEquals("JSON parse error, invalid UTF-8 sequence in string",
                    assertThrows(NetException.class, () -> QmpJsonParser.parse(tokens(bad))).getMessage());
        }
        assertEquals("\u0000", QmpJsonParser.parse(tokens(new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'})).textValue());
    }

    private static List<JsonStreamSplitter.Token> tokens(byte[] json) {
        List<JsonStreamSplitter.Token> tokens = new ArrayList<>();
        new JsonStreamSplitter(new JsonStreamSplitter.Sink() {
            @Override
            public void value(List<JsonStreamSplitter.Token> value) {
                tokens.addAll(value);
            }

            @Override
            public void error(String desc) {
                throw new AssertionError(desc);
            }
        }).feed(json, 0, json.length);
        return tokens;
    }
}
