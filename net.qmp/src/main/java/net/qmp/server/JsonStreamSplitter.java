package net.qmp.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a QMP input byte stream into top-level JSON values the way QEMU 7.2 does: a lexer cuts
 * the bytes into tokens (QEMU's extensions included: {@code 'single-quoted'} strings), and a
 * value is complete when its {@code {}}/{@code []} balance, or at once for a top-level scalar or a
 * surplus closing bracket. No delimiter between values is needed.
 *
 * <p>Errors are QEMU's: a byte no token may hold is reported as {@code JSON parse error, stray
 * 'TEXT'} with the token so far, the value in progress is dropped, and the lexer skips to the next
 * structural or control character before it reads tokens again. Limits: {@link #MAX_VALUE_BYTES} per
 * value, {@link #MAX_TOKEN_COUNT} tokens and {@link #MAX_NESTING} levels, checked in QEMU's order;
 * crossing one is reported once, the value is dropped and what follows is read as new input, as
 * QEMU does. So one connection holds at most about 2 MiB of input, whatever it sends. Not
 * thread-safe: one per connection.
 */
final class JsonStreamSplitter {

    /**
     * The largest value kept, 1 MiB. QEMU allows 64 MiB per value; a QMP request is a few hundred
     * bytes, and 1 MiB per connection keeps many connections cheap while a 10 MB line is refused.
     */
    static final int MAX_VALUE_BYTES = 1 << 20;

    /**
     * The most tokens kept for a value, 16 Ki. QEMU allows 2 Mi; each token costs some 60 bytes
     * beside its text, so this keeps a value of one-byte tokens near {@link #MAX_VALUE_BYTES} too.
     */
    static final int MAX_TOKEN_COUNT = 1 << 14;

    /** A token buffer grown past this is let go once its token is done. */
    private static final int SMALL_TOKEN = 4 * 1024;

    /** QEMU's nesting limit. */
    static final int MAX_NESTING = 1024;

    /** What a token is. */
    enum Kind { LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, INTEGER, FLOAT, KEYWORD, STRING }

    /**
     * One token.
     *
     * @param kind what it is
     * @param text its bytes as they came (a string's with its quotes)
     */
    record Token(Kind kind, byte[] text) {
        /** @return the text, for numbers and keywords (ASCII) */
        String ascii() {
            return new String(text, StandardCharsets.ISO_8859_1);
        }
    }

    /** Receives what the splitter finds. */
    interface Sink {
        /** @param tokens one complete value, or a stray closing bracket (the parser reports it) */
        void value(List<Token> tokens);

        /** @param desc QEMU's GenericError text for input that is no value */
        void error(String desc);
    }

    /** The lexer's states; {@code RECOVERY} skips what follows a bad byte. */
    private enum State {
        START, STRING, ESCAPE, ZERO, NUMBER, MINUS, POINT, FRACTION, EXPONENT, EXPONENT_SIGN, EXPONENT_DIGITS,
        KEYWORD, RECOVERY
    }

    private final Sink sink;
    /** The token in progress: {@link #length} bytes of it. */
    private byte[] token = new byte[SMALL_TOKEN];
    private int length;
    private State state = State.START;
    private byte quote;
    private List<Token> tokens = new ArrayList<>();
    private int size;
    private int braces;
    private int brackets;

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
        int end = offset + count;
        for (int i = offset; i < end; i++) {
            if (state == State.STRING) {
                // The inside of a string, copied a run at a time, up to where the size limit bites.
                int run = i;
                int limit = Math.min(end, i + MAX_VALUE_BYTES - length);
                while (run < limit && plain(bytes[run] & 0xFF)) {
                    run++;
                }
                put(bytes, i, run - i);
                i = run;
                if (i == end) {
                    break;
                }
            }
            feed(bytes[i] & 0xFF);
        }
    }

    /** @return whether a string holds the byte as it is: it ends no string and starts no escape */
    private boolean plain(int b) {
        return b >= 0x20 && b < 0xFE && b != '\\' && b != quote;
    }

    private void put(int b) {
        if (length == token.length) {
            token = Arrays.copyOf(token, length * 2);
        }
        token[length++] = (byte) b;
    }

    private void put(byte[] bytes, int offset, int count) {
        if (length + count > token.length) {
            token = Arrays.copyOf(token, Math.max(length + count, length * 2));
        }
        System.arraycopy(bytes, offset, token, length, count);
        length += count;
    }

    private void reset() {
        length = 0;
        if (token.length > SMALL_TOKEN) {
            token = new byte[SMALL_TOKEN]; // a huge token's buffer goes with it
        }
    }

    /**
     * The input ended: a number or keyword in progress is a token, anything else unfinished is
     * stray, and tokens of an unfinished value go to the parser (which finds them premature).
     */
    void end() {
        switch (state) {
            case START, RECOVERY -> {
                // nothing pending
            }
            case ZERO, NUMBER -> emit(Kind.INTEGER);
            case FRACTION, EXPONENT_DIGITS -> emit(Kind.FLOAT);
            case KEYWORD -> emit(Kind.KEYWORD);
            default -> stray();
        }
        state = State.START;
        if (!tokens.isEmpty()) {
            List<Token> value = tokens;
            drop();
            sink.value(value);
        }
    }

    private void feed(int b) {
        while (!consumed(b)) {
            // the byte ended a number or keyword (or the recovery) and starts what comes next
        }
    }

    /** @return false when the byte must be read again in the new state */
    private boolean consumed(int b) {
        switch (state) {
            case START -> start(b);
            case STRING -> {
                put(b);
                if (b < 0x20 || b >= 0xFE) {
                    stray();
                } else if (b == '\\') {
                    state = State.ESCAPE;
                } else if (b == quote) {
                    emit(Kind.STRING);
                }
            }
            case ESCAPE -> {
                put(b);
                if (b < 0x20 || b >= 0xFE) {
                    stray();
                } else {
                    state = State.STRING; // the parser checks what was escaped
                }
            }
            case ZERO -> {
                if (b == '.') {
                    next(b, State.POINT);
                } else if (isDigit(b)) {
                    put(b);
                    stray();
                } else {
                    emit(Kind.INTEGER);
                    return false;
                }
            }
            case NUMBER -> {
                if (isDigit(b)) {
                    put(b);
                } else if (b == '.') {
                    next(b, State.POINT);
                } else if (b == 'e' || b == 'E') {
                    next(b, State.EXPONENT);
                } else {
                    emit(Kind.INTEGER);
                    return false;
                }
            }
            case MINUS -> digitOrStray(b, b == '0' ? State.ZERO : State.NUMBER);
            case POINT -> digitOrStray(b, State.FRACTION);
            case FRACTION -> {
                if (isDigit(b)) {
                    put(b);
                } else if (b == 'e' || b == 'E') {
                    next(b, State.EXPONENT);
                } else {
                    emit(Kind.FLOAT);
                    return false;
                }
            }
            case EXPONENT -> {
                if (b == '+' || b == '-') {
                    next(b, State.EXPONENT_SIGN);
                } else {
                    digitOrStray(b, State.EXPONENT_DIGITS);
                }
            }
            case EXPONENT_SIGN -> digitOrStray(b, State.EXPONENT_DIGITS);
            case EXPONENT_DIGITS -> {
                if (isDigit(b)) {
                    put(b);
                } else {
                    emit(Kind.FLOAT);
                    return false;
                }
            }
            case KEYWORD -> {
                if (b >= 'a' && b <= 'z') {
                    put(b);
                } else {
                    emit(Kind.KEYWORD);
                    return false;
                }
            }
            case RECOVERY -> {
                // QEMU's resynchronisation points: structural characters (brackets, colon, comma),
                // where a client's next request may start, and control characters but tab.
                if (structural(b) || b < 0x20 && b != '\t' || b >= 0xFE) {
                    state = State.START;
                    return false;
                }
            }
        }
        if (length > MAX_VALUE_BYTES) {
            // One token larger than a whole value: drop it and skip the rest of it.
            reset();
            state = State.RECOVERY;
            limit("JSON token size limit exceeded");
        }
        return true;
    }

    private void start(int b) {
        switch (b) {
            case ' ', '\t', '\r', '\n' -> {
                // between tokens
            }
            case '{' -> single(b, Kind.LCURLY);
            case '}' -> single(b, Kind.RCURLY);
            case '[' -> single(b, Kind.LSQUARE);
            case ']' -> single(b, Kind.RSQUARE);
            case ':' -> single(b, Kind.COLON);
            case ',' -> single(b, Kind.COMMA);
            case '"', '\'' -> {
                quote = (byte) b;
                next(b, State.STRING);
            }
            case '0' -> next(b, State.ZERO);
            case '-' -> next(b, State.MINUS);
            default -> {
                if (isDigit(b)) {
                    next(b, State.NUMBER);
                } else if (b >= 'a' && b <= 'z') {
                    next(b, State.KEYWORD);
                } else {
                    put(b);
                    stray();
                }
            }
        }
    }

    private void next(int b, State then) {
        put(b);
        state = then;
    }

    private void digitOrStray(int b, State then) {
        put(b);
        if (isDigit(b)) {
            state = then;
        } else {
            stray();
        }
    }

    private static boolean structural(int b) {
        return b == '{' || b == '}' || b == '[' || b == ']' || b == ':' || b == ',';
    }

        private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private void single(int b, Kind kind) {
        put(b);
        emit(kind);
    }

    /** A byte no token may hold: the value in progress is dropped, and the lexer resynchronises. */
    private void stray() {
        String text = Utf8.lenient(token, length);
        reset();
        state = State.RECOVERY;
        drop();
        sink.error("JSON parse error, stray '" + text + "'");
    }

    private void emit(Kind kind) {
        byte[] text = Arrays.copyOf(token, length);
        reset();
        state = State.START;
        switch (kind) {
            case LCURLY -> braces++;
            case RCURLY -> braces--;
            case LSQUARE -> brackets++;
            case RSQUARE -> brackets--;
            default -> {
                // no nesting
            }
        }
        if (size + text.length + 1 > MAX_VALUE_BYTES) {
            limit("JSON token size limit exceeded");
            return;
        }
        if (tokens.size() + 1 > MAX_TOKEN_COUNT) {
            limit("JSON token count limit exceeded");
            return;
        }
        if (braces + brackets > MAX_NESTING) {
            limit("JSON nesting depth limit exceeded");
            return;
        }
        tokens.add(new Token(kind, text));
        size += text.length + 1;
        if ((braces > 0 || brackets > 0) && braces >= 0 && brackets >= 0) {
            return;
        }
        List<Token> value = tokens;
        drop();
        sink.value(value);
    }

    private void limit(String desc) {
        drop();
        sink.error(desc);
    }

    private void drop() {
        tokens = new ArrayList<>();
        size = 0;
        braces = 0;
        brackets = 0;
    }
}
