package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.api.NetException;
import net.qmp.server.JsonStreamSplitter.Kind;
import net.qmp.server.JsonStreamSplitter.Token;

/**
 * Parses one value's tokens as QEMU 7.2's JSON parser does, with its error texts (the first error
 * found is the one reported): integers are 64-bit signed, else unsigned, else doubles; strings are
 * UTF-8 without noncharacters, and {@code \u0000} is allowed; a key may not repeat.
 */
final class QmpJsonParser {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger UINT64_LIMIT = BigInteger.ONE.shiftLeft(64);

    private final List<Token> tokens;
    private int next;

    private QmpJsonParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /**
     * @param tokens one value's tokens, as the splitter hands them on
     * @return the value
     * @throws NetException GenericError {@code JSON parse error, ...}
     */
    static JsonNode parse(List<Token> tokens) throws NetException {
        return new QmpJsonParser(tokens).value();
    }

    /**
     * Parses a text that holds one JSON value, as QEMU's {@code qobject_from_json} does (HMP's
     * {@code qom-set -j}).
     *
     * @param text the text
     * @return the value
     * @throws NetException QEMU's error for a malformed text or more than one value
     */
    static JsonNode parse(String text) throws NetException {
        List<Object> found = new java.util.ArrayList<>();
        JsonStreamSplitter splitter = new JsonStreamSplitter(new JsonStreamSplitter.Sink() {
            @Override
            public void value(List<Token> value) {
                found.add(value);
            }

            @Override
            public void error(String desc) {
                found.add(NetException.generic("%s", desc));
            }
        });
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.feed(bytes, 0, bytes.length);
        splitter.end();
        if (found.size() > 1) {
            throw NetException.generic("Expecting at most one JSON value");
        }
        if (found.isEmpty()) {
            throw error("expecting value");
        }
        if (found.getFirst() instanceof NetException e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        List<Token> tokens = (List<Token>) found.getFirst();
        return parse(tokens);
    }

    private static NetException error(String message) {
        return NetException.generic("JSON parse error, %s", message);
    }

    private Token peek() throws NetException {
        if (next == tokens.size()) {
            throw error("premature EOI");
        }
        return tokens.get(next);
    }

    private Token pop() throws NetException {
        Token token = peek();
        next++;
        return token;
    }

    private JsonNode value() throws NetException {
        Token token = peek();
        return switch (token.kind()) {
            case LCURLY -> object();
            case LSQUARE -> array();
            case STRING -> NODES.textNode(string(pop()));
            case INTEGER -> integer(pop().ascii());
            case FLOAT -> NODES.numberNode(Double.parseDouble(pop().ascii()));
            case KEYWORD -> keyword(pop().ascii());
            default -> throw error("expecting value");
        };
    }

    private ObjectNode object() throws NetException {
        pop();
        ObjectNode object = NODES.objectNode();
        if (peek().kind() == Kind.RCURLY) {
            pop();
            return object;
        }
        pair(object);
        for (Token token = pop(); token.kind() != Kind.RCURLY; token = pop()) {
            if (token.kind() != Kind.COMMA) {
                throw error("expected separator in dict");
            }
            pair(object);
        }
        return object;
    }

    private void pair(ObjectNode object) throws NetException {
        JsonNode key = value();
        if (!key.isTextual()) {
            throw error("key is not a string in object");
        }
        if (pop().kind() != Kind.COLON) {
            throw error("missing : in object pair");
        }
        JsonNode value = value();
        if (object.has(key.textValue())) {
            throw error("duplicate key");
        }
        object.set(key.textValue(), value);
    }

    private ArrayNode array() throws NetException {
        pop();
        ArrayNode array = NODES.arrayNode();
        if (peek().kind() == Kind.RSQUARE) {
            pop();
            return array;
        }
        array.add(value());
        for (Token token = pop(); token.kind() != Kind.RSQUARE; token = pop()) {
            if (token.kind() != Kind.COMMA) {
                throw error("expected separator in list");
            }
            array.add(value());
        }
        return array;
    }

    private static JsonNode keyword(String word) throws NetException {
        return switch (word) {
            case "true" -> NODES.booleanNode(true);
            case "false" -> NODES.booleanNode(false);
            case "null" -> NODES.nullNode();
            default -> throw error("invalid keyword '" + word + "'");
        };
    }

    /** int64 if it fits, else uint64, else a double, as QEMU keeps numbers. */
    private static JsonNode integer(String text) {
        BigInteger n = new BigInteger(text);
        if (n.bitLength() < 32) {
            return NODES.numberNode(n.intValue()); // what Java code reading the tree expects of small numbers
        }
        if (n.bitLength() < 64) {
            return NODES.numberNode(n.longValue());
        }
        if (n.signum() > 0 && n.compareTo(UINT64_LIMIT) < 0) {
            return NODES.numberNode(n);
        }
        return NODES.numberNode(Double.parseDouble(text));
    }

    /** A string token's value: QEMU's escapes, and UTF-8 checked code point by code point. */
    private static String string(Token token) throws NetException {
        byte[] b = token.text();
        int end = b.length - 1; // the closing quote
        StringBuilder out = new StringBuilder(end);
        int i = 1;
        while (i < end) {
            if (b[i] >= 0 && b[i] != '\\') {
                out.append((char) b[i++]); // ASCII, the common case: nothing to decode
                continue;
            }
            if (b[i] != '\\') {
                int[] decoded = Utf8.decode(b, i, end);
                if (decoded[0] < 0) {
                    throw error("invalid UTF-8 sequence in string");
                }
                out.appendCodePoint(decoded[0]);
                i = decoded[1];
                continue;
            }
            int escape = i;
            i += 2;
            switch (b[escape + 1]) {
                case '"' -> out.append('"');
                case '\'' -> out.append('\'');
                case '\\' -> out.append('\\');
                case '/' -> out.append('/');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    int cp = hex4(b, i, end);
                    i += 4;
                    if (cp >= 0xD800 && cp <= 0xDBFF && i + 1 < end && b[i] == '\\' && b[i + 1] == 'u') {
                        int low = hex4(b, i + 2, end);
                        if (low >= 0xDC00 && low <= 0xDFFF) {
                            cp = 0x10000 + ((cp & 0x3FF) << 10) + (low & 0x3FF);
                            i += 6;
                        } else {
                            cp = -1;
                        }
                    }
                    if (!Utf8.isValid(cp)) {
                        // QEMU quotes what it read, the closing quote included, but nothing after.
                        String read = new String(b, escape, Math.min(i, b.length) - escape, StandardCharsets.UTF_8);
                        throw error(read + " is not a valid Unicode character");
                    }
                    out.appendCodePoint(cp);
                }
                default -> throw error("invalid escape sequence in string");
            }
        }
        return out.toString();
    }

    /** @return the value of four hex digits at {@code at}, or -1 */
    private static int hex4(byte[] b, int at, int end) {
        int value = 0;
        for (int k = at; k < at + 4; k++) {
            int digit = k <= end ? Character.digit(b[k], 16) : -1;
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }
}
