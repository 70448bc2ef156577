package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Writes a message the way QEMU 7.2 writes QMP: {@code ", "} and {@code ": "} separators, pure
 * ASCII (everything else as {@code \\uXXXX} with upper-case hex, surrogate pairs beyond the BMP),
 * doubles as C's {@code %.17g}, and every object's members in the order QEMU's QDict iterates
 * them, which is fixed by a hash of each key: so {@code {"return": {}, "id": 1}} but
 * {@code {"id": 1, "error": ...}}, and events start with {@code timestamp}.
 */
final class QmpJsonWriter {

    /** QDict's number of hash buckets. */
    private static final int BUCKETS = 512;
    private static final MathContext DOUBLE_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);

    private QmpJsonWriter() {
    }

    /**
     * @param message a JSON value
     * @return its bytes, without the line end
     */
    static byte[] write(JsonNode message) {
        StringBuilder out = new StringBuilder(128);
        value(message, out);
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Orders an object's members as QEMU's QDict iterates them: by hash bucket, and within one
     * bucket the member added last first.
     *
     * @param <V>     the values
     * @param members the members in the order they were added
     * @return the members in QEMU's order
     */
    static <V> List<Map.Entry<String, V>> qdictOrder(Iterable<Map.Entry<String, V>> members) {
        List<Map.Entry<String, V>> added = new ArrayList<>();
        members.forEach(added::add);
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < added.size(); i++) {
            positions.add(i);
        }
        positions.sort(Comparator.<Integer>comparingInt(i -> bucket(added.get(i).getKey())).thenComparing(i -> -i));
        return positions.stream().map(added::get).toList();
    }

    /** The bucket of a key: QEMU's hash of the key's bytes (U+0000 as {@code C0 80}). */
    static int bucket(String key) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(key.length());
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            if (b == 0) {
                bytes.write(0xC0);
                bytes.write(0x80);
            } else {
                bytes.write(b);
            }
        }
        return hash(bytes.toByteArray());
    }

    private static int hash(byte[] bytes) {
        int value = 0x238F13AF * bytes.length;
        for (int i = 0; i < bytes.length; i++) {
            value += (bytes[i] & 0xFF) << (i * 5 % 24);
        }
        return Integer.remainderUnsigned(1103515243 * value + 12345, BUCKETS);
    }

    private static void value(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                out.append('{');
                String separator = "";
                for (Map.Entry<String, JsonNode> member : qdictOrder(node.properties())) {
                    out.append(separator);
                    string(member.getKey(), out);
                    out.append(": ");
                    value(member.getValue(), out);
                    separator = ", ";
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                String separator = "";
                for (JsonNode element : node) {
                    out.append(separator);
                    value(element, out);
                    separator = ", ";
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out);
            case NUMBER -> out.append(node.isIntegralNumber() ? node.bigIntegerValue().toString() : g17(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue());
            default -> out.append("null");
        }
    }

    private static void string(String text, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (cp != 0 && !Utf8.isValid(cp)) {
                        cp = 0xFFFD;
                    }
                    if (cp > 0xFFFF) {
                        hex(0xD800 + ((cp - 0x10000) >> 10), out);
                        hex(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
                    } else if (cp < 0x20 || cp >= 0x7F) {
                        hex(cp, out);
                    } else {
                        out.append((char) cp);
                    }
                }
            }
        }
        out.append('"');
    }

    private static void hex(int unit, StringBuilder out) {
        out.append(String.format("\\u%04X", unit));
    }

    /** C's {@code printf("%.17g")}: 17 significant digits, trailing zeros dropped. */
    static String g17(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(DOUBLE_DIGITS);
        int exponent = rounded.precision() - rounded.scale() - 1;
        String digits = rounded.unscaledValue().abs().toString();
        digits = (digits + "0".repeat(17)).substring(0, 17);
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 17) {
            String e = String.format("e%c%02d", exponent < 0 ? '-' : '+', Math.abs(exponent));
            return sign + trim(digits.charAt(0) + "." + digits.substring(1)) + e;
        }
        if (exponent >= 0) {
            return sign + trim(digits.substring(0, exponent + 1) + "." + digits.substring(exponent + 1));
        }
        return sign + trim("0." + "0".repeat(-exponent - 1) + digits);
    }

    private static String trim(String fixed) {
        int end = fixed.length();
        while (fixed.charAt(end - 1) == '0') {
            end--;
        }
        if (fixed.charAt(end - 1) == '.') {
            end--;
        }
        return fixed.substring(0, end);
    }
}
