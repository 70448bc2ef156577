package net.qmp.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a QMP input byte stream into top-level JSON values the way QEMU 7.2 does: a lexer cuts
 * the bytes into tokens (QEMU's extensions included: {@code 'single-quoted'} strings), and a
 * value is complete when its {@code {}}/{@code []} balance, or at once for a top-level scalar or a
 * surplus closing bracket. No delimiter between values is needed.
 *
 * <p>Errors are QEMU's: a byte no token may hold is reported as {@code JSON parse error, stray
 * 'TEXT'} with the token so far, the value in progress is dropped, and the lexer skips to the next
 * bracket or control character before it reads tokens again. Limits: {@link #MAX_VALUE_BYTES} per
 * value and {@link #MAX_NESTING} levels; crossing one is reported once, the value is dropped and
 * what follows is read as new input, as QEMU does. Not thread-safe: one per connection.
 */
final class JsonStreamSplitter {

    /**
     * The largest value kept, 1 MiB. QEMU allows 64 MiB per value; a QMP request is a few hundred
     * bytes, and 1 MiB per connection keeps many connections cheap while a 10 MB line is refused.
     */
    static final int MAX_VALUE_BYTES = 1 << 20;

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
    private final ByteArrayOutputStream token = new ByteArrayOutputStream();
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
        for (int i = offset; i < offset + count; i++) {
            feed(bytes[i] & 0xFF);
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
                token.write(b);
                if (b < 0x20 || b >= 0xFE) {
                    stray();
                } else if (b == '\\') {
                    state = State.ESCAPE;
                } else if (b == quote) {
                    emit(Kind.STRING);
                }
            }
            case ESCAPE -> {
                token.write(b);
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
                    token.write(b);
                    stray();
                } else {
                    emit(Kind.INTEGER);
                    return false;
                }
            }
            case NUMBER -> {
                if (isDigit(b)) {
                    token.write(b);
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
                    token.write(b);
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
                    token.write(b);
                } else {
                    emit(Kind.FLOAT);
                    return false;
                }
            }
            case KEYWORD -> {
                if (b >= 'a' && b <= 'z') {
                    token.write(b);
                } else {
                    emit(Kind.KEYWORD);
                    return false;
                }
            }
            case RECOVERY -> {
                // Brackets and line ends are where a client's next request may start.
                if (b == '{' || b == '}' || b == '[' || b == ']' || b < 0x20 && b != '\t' || b >= 0xFE) {
                    state = State.START;
                    return false;
                }
            }
        }
        if (token.size() > MAX_VALUE_BYTES) {
            // One token larger than a whole value: drop it and skip the rest of it.
            token.reset();
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
                    token.write(b);
                    stray();
                }
            }
        }
    }

    private void next(int b, State then) {
        token.write(b);
        state = then;
    }

    private void digitOrStray(int b, State then) {
        token.write(b);
        if (isDigit(b)) {
            state = then;
        } else {
            stray();
        }
    }

    private static boolean isDigit(int b) {
        return b >= '0' && b <= '9';
    }

    private void single(int b, Kind kind) {
        token.write(b);
        emit(kind);
    }

    /** A byte no token may hold: the value in progress is dropped, and the lexer resynchronises. */
    private void stray() {
        String text = new String(token.toByteArray(), StandardCharsets.UTF_8);
        token.reset();
        state = State.RECOVERY;
        drop();
        sink.error("JSON parse error, stray '" + text + "'");
    }

    private void emit(Kind kind) {
        byte[] text = token.toByteArray();
        token.reset();
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
