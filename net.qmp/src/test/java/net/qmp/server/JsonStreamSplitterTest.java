package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonStreamSplitterTest {

    /** Each value's tokens joined by blanks, or an error. */
    private final List<String> out = new ArrayList<>();
    private final JsonStreamSplitter splitter = new JsonStreamSplitter(new JsonStreamSplitter.Sink() {
        @Override
        public void value(List<JsonStreamSplitter.Token> tokens) {
            out.add(String.join(" ", tokens.stream().map(t -> new String(t.text(), StandardCharsets.UTF_8)).toList()));
        }

        @Override
        public void error(String desc) {
            out.add("ERROR " + desc);
        }
    });

    private void feed(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.feed(bytes, 0, bytes.length);
    }

    @Test
    void valuesNeedNoDelimiterAndMayArriveInPieces() {
        feed("{\"a\": [1, {\"b\": 2}]}[3]{\"c\"");
        feed(": \"}\"}\r\n  ");
        assertEquals(List.of("{ \"a\" : [ 1 , { \"b\" : 2 } ] }", "[ 3 ]", "{ \"c\" : \"}\" }"), out);
    }

    @Test
    void bracketsInsideStringsAndEscapesDoNotCount() {
        feed("{\"a\": \"\\\"}\", 'b': 'it\\'s ]'}");
        assertEquals(List.of("{ \"a\" : \"\\\"}\" , 'b' : 'it\\'s ]' }"), out);
    }

    @Test
    void topLevelScalarsAndStrayClosers() {
        feed("3 true\"x\"} nul");
        assertEquals(List.of("3", "true", "\"x\"", "}"), out);
        feed("l{}");
        assertEquals(List.of("3", "true", "\"x\"", "}", "null", "{ }"), out);
    }

    @Test
    void aStrayByteDropsTheValueAndTheLexerResynchronisesAtAStructuralCharacterOrLineEnd() {
        // As QEMU 7.2: a comma or colon after the stray is read afresh, each a value of its own.
        feed("{\"execute\": 01, \"id\": 2}\n");
        feed("{\"a\": .5}");
        feed("{\"a\": 1.}");
        feed("\nGa: 1\n");
        assertEquals(List.of("ERROR JSON parse error, stray '01'", ",", "\"id\"", ":", "2", "}",
                "ERROR JSON parse error, stray '.'", "}", "ERROR JSON parse error, stray '1.}'",
                "ERROR JSON parse error, stray 'G'", ":", "1"), out);
    }

    @Test
    void aControlCharacterInAStringIsStray() {
        feed("\"a\tb\"\n[1]");
        assertEquals(List.of("ERROR JSON parse error, stray '\"a\t'", "[ 1 ]"), out);
    }

    @Test
    void theFfByteIsStrayAsInQemu72() {
        feed("{\"execute\": \"qu");
        splitter.feed(new byte[] {(byte) 0xFF}, 0, 1);
        feed("{}");
        assertEquals(List.of("ERROR JSON parse error, stray '\"qu\uFFFD'", "{ }"), out);
    }

    @Test
    void strayTextIsQemusCStringWithOneReplacementPerBadSequence() {
        // QEMU 7.2's words for these bytes: the text stops at NUL, an overlong E0 80 80, a
        // surrogate ED A0 80 and a five-byte F8 88 80 80 80 are one U+FFFD each.
        byte[] bytes = {'"', 'a', (byte) 0xE0, (byte) 0x80, (byte) 0x80, 0, 'b', '\n',
            '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            'z', 1, '\n'};
        splitter.feed(bytes, 0, bytes.length);
        assertEquals(List.of("ERROR JSON parse error, stray '\"a\uFFFD'",
                "ERROR JSON parse error, stray '\"\uFFFD\uFFFDz\u0001'"), out);
    }

    @Test
    void anOversizedTokenIsOneErrorThenSkippedToABracket() {
        feed("[\"" + "x".repeat(JsonStreamSplitter.MAX_VALUE_BYTES) + "\"]\n[1]");
        assertEquals(List.of("ERROR JSON token size limit exceeded", "]", "[ 1 ]"), out);
    }

    @Test
    void nestingBeyondQemusLimitIsAnErrorAndWhatFollowsIsReadAfresh() {
        int depth = JsonStreamSplitter.MAX_NESTING + 1;
        feed("[".repeat(depth) + "]".repeat(depth) + "[[1]]");
        List<String> expected = new ArrayList<>();
        expected.add("ERROR JSON nesting depth limit exceeded");
        expected.addAll(Collections.nCopies(depth, "]"));
        expected.add("[ [ 1 ] ]");
        assertEquals(expected, out);
    }
}
