package net.qmp.server;

import java.util.Arrays;

/**
 * Splits a QMP input byte stream into top-level JSON values, as QEMU's JSON streamer does: a value
 * ends where its {@code {}}/{@code []} balance outside strings (either quote, QEMU accepts
 * {@code 'single-quoted'} strings), a top-level scalar ends at whitespace or the next bracket or
 * quote. No delimiter between values is needed. The bytes are not parsed here; a malformed value
 * is handed on whole, so the parser's error covers exactly that value and the next one starts
 * clean.
 *
 * <p>Memory is bounded: a value longer than {@link #MAX_VALUE_BYTES} or nested deeper than
 * {@link #MAX_NESTING} is reported once, the moment the limit is crossed, and the rest of it is
 * skipped while the brackets are still counted. A raw {@code 0xFF} byte drops the value in
 * progress (QMP's reset byte). Not thread-safe: one per connection.
 */
final class JsonStreamSplitter {

    /**
     * The largest value kept, 1 MiB. QEMU allows 64 MiB per value; a QMP request is a few hundred
     * bytes, and 1 MiB per connection keeps many connections cheap while a 10 MB line is refused.
     */
    static final int MAX_VALUE_BYTES = 1 << 20;

    /** QEMU's nesting limit. */
    static final int MAX_NESTING = 1024;

    private static final int INITIAL_CAPACITY = 8 * 1024;
    private static final int RESET = 0xFF;

    /** Receives what the splitter finds. */
    interface Sink {
        /**
         * @param bytes  a buffer holding one complete value from offset 0; reused after the call
         * @param length the value's length
         */
        void value(byte[] bytes, int length);

        /** @param desc a limit was crossed; QEMU's GenericError text */
        void error(String desc);
    }

    private final Sink sink;
    private byte[] buffer = new byte[INITIAL_CAPACITY];
    private int length;
    private int depth;
    private byte quote;       // the quote of the string we are in, or 0
    private boolean escaped;  // the previous byte in a string was a backslash
    private boolean scalar;   // inside a top-level number or literal
    private boolean skipping; // the value crossed a limit: count brackets, keep nothing

    JsonStreamSplitter(Sink sink) {
        this.sink = sink;
    }

    /**
     * Feeds bytes; complete values and errors go to the sink before this returns.
     *
     * @param bytes  the input
     * @param offset where it starts
     * @param count  how many bytes
     */
    void feed(byte[] bytes, int offset, int count) {
        for (int i = offset; i < offset + count; i++) {
            byte b = bytes[i];
            if ((b & 0xFF) == RESET) {
                reset();
            } else if (quote != 0) {
                inString(b);
            } else if (scalar && ends(b)) {
                complete();
                idle(b);
            } else if (depth > 0 || scalar) {
                append(b);
                if (depth > 0) {
                    bracket(b);
                }
            } else {
                idle(b);
            }
        }
    }

    /** Between values: whitespace is skipped, anything else starts a value. */
    private void idle(byte b) {
        if (isSpace(b)) {
            return;
        }
        append(b);
        switch (b) {
            case '{', '[' -> depth = 1;
            case '"', '\'' -> quote = b;
            // A stray closing bracket is a value of its own: the parser reports it.
            case '}', ']' -> complete();
            default -> scalar = true;
        }
    }

    private void inString(byte b) {
        append(b);
        if (escaped) {
            escaped = false;
        } else if (b == '\\') {
            escaped = true;
        } else if (b == quote) {
            quote = 0;
            if (depth == 0) {
                complete();
            }
        }
    }

    private void bracket(byte b) {
        switch (b) {
            case '"', '\'' -> quote = b;
            case '{', '[' -> {
                if (++depth > MAX_NESTING && !skipping) {
                    skipping = true;
                    sink.error("JSON nesting depth limit exceeded");
                }
            }
            case '}', ']' -> {
                if (--depth == 0) {
                    complete();
                }
            }
            default -> {
                // other bytes only belong to the value
            }
        }
    }

    private static boolean ends(byte b) {
        return isSpace(b) || b == '{' || b == '[' || b == '}' || b == ']' || b == '"' || b == '\'';
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    private void append(byte b) {
        if (skipping) {
            return;
        }
        if (length == MAX_VALUE_BYTES) {
            skipping = true;
            sink.error("JSON token size limit exceeded");
            return;
        }
        if (length == buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.min(MAX_VALUE_BYTES, buffer.length * 2));
        }
        buffer[length++] = b;
    }

    private void complete() {
        if (!skipping) {
            sink.value(buffer, length);
        }
        reset();
    }

    private void reset() {
        length = 0;
        depth = 0;
        quote = 0;
        escaped = false;
        scalar = false;
        skipping = false;
        // Give back the memory of an unusually large value.
        if (buffer.length > INITIAL_CAPACITY * 8) {
            buffer = new byte[INITIAL_CAPACITY];
        }
    }
}
