package net.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * QAPI's {@code size}: a byte count that the command line may write with a binary suffix
 * ({@code b}, {@code k}, {@code M}, {@code G}, {@code T}, {@code P}, {@code E}; case-insensitive,
 * as QEMU accepts them) and QMP as a plain number. Use it as an option record component type.
 *
 * @param bytes the size in bytes, never negative
 */
public record ByteSize(long bytes) {

    /**
     * @param bytes the size in bytes
     * @throws IllegalArgumentException when negative
     */
    public ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("a size value");
        }
    }

    /**
     * Parses {@code 65536}, {@code 64k}, {@code 1.5M}.
     *
     * @param text the size
     * @return the size
     * @throws IllegalArgumentException when it is not a size (message: {@code a size value})
     */
    public static ByteSize parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("a size value");
        }
        char last = t.charAt(t.length() - 1);
        int shift = switch (Character.toLowerCase(last)) {
            case 'b' -> 0;
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            case 't' -> 40;
            case 'p' -> 50;
            case 'e' -> 60;
            default -> -1;
        };
        String number = shift < 0 ? t : t.substring(0, t.length() - 1);
        try {
            if (number.contains(".")) {
                double value = Double.parseDouble(number) * (1L << Math.max(shift, 0));
                if (value < 0 || value >= 0x1p63) {
                    throw new IllegalArgumentException("a size value");
                }
                return new ByteSize((long) value);
            }
            long value = Long.parseLong(number.toLowerCase(Locale.ROOT));
            if (value < 0 || (shift > 0 && value > (Long.MAX_VALUE >> shift))) {
                throw new IllegalArgumentException("a size value");
            }
            return new ByteSize(value << Math.max(shift, 0));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a size value", e);
        }
    }

    /**
     * Binds JSON numbers and strings.
     *
     * @param value a number or a string
     * @return the size
     */
    @JsonCreator
    public static ByteSize of(Object value) {
        if (value instanceof Number n) {
            return new ByteSize(n.longValue());
        }
        return parse(String.valueOf(value));
    }

    /** @return the size in bytes, as QMP returns it */
    @JsonValue
    public long value() {
        return bytes;
    }
}
