package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonStreamSplitterTest {

    private final List<String> out = new ArrayList<>();
    private final JsonStreamSplitter splitter = new JsonStreamSplitter(new JsonStreamSplitter.Sink() {
        @Override
        public void value(byte[] bytes, int length) {
            out.add(new String(bytes, 0, length, StandardCharsets.UTF_8));
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
        assertEquals(List.of("{\"a\": [1, {\"b\": 2}]}", "[3]", "{\"c\": \"}\"}"), out);
    }

    @Test
    void bracketsInsideStringsAndEscapesDoNotCount() {
        feed("{\"a\": \"\\\"}\", 'b': 'it\\'s ]'}");
        assertEquals(List.of("{\"a\": \"\\\"}\", 'b': 'it\\'s ]'}"), out);
    }

    @Test
    void topLevelScalarsAndStrayClosers() {
        feed("3 true\"x\"} nul");
        assertEquals(List.of("3", "true", "\"x\"", "}"), out);
        feed("l{}");
        assertEquals(List.of("3", "true", "\"x\"", "}", "null", "{}"), out);
    }

    @Test
    void theResetByteDropsTheValueInProgress() {
        feed("{\"execute\": \"qu");
        splitter.feed(new byte[] {(byte) 0xFF}, 0, 1);
        feed("{}");
        assertEquals(List.of("{}"), out);
    }

    @Test
    void anOversizedValueIsOneErrorThenSkippedToItsEnd() {
        feed("[\"" + "x".repeat(JsonStreamSplitter.MAX_VALUE_BYTES) + "[{\", {}]");
        feed("[1]");
        assertEquals(List.of("ERROR JSON token size limit exceeded", "[1]"), out);
    }

    @Test
    void nestingBeyondQemusLimitIsOneError() {
        int depth = JsonStreamSplitter.MAX_NESTING + 1;
        feed("[".repeat(depth) + "]".repeat(depth) + "[[1]]");
        assertEquals(List.of("ERROR JSON nesting depth limit exceeded", "[[1]]"), out);
    }
}
