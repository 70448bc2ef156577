package net.hub;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.math.BigInteger;
import java.util.Map;
import java.util.stream.Collectors;
import net.api.NetException;
import net.control.QemuOptions;
import net.api.ByteSize;

/**
 * Binds option trees (typed QMP JSON or command-line strings) into drivers' option records, with
 * QEMU's conversions ({@code on/off} booleans, sizes with suffixes, numbers as strings) and QEMU's
 * error texts.
 */
final class OptionBinder {

    private final ObjectMapper mapper = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .addModule(new SimpleModule("qemu-values")
                    .addDeserializer(Boolean.class, new QemuBoolean())
                    .addDeserializer(boolean.class, new QemuBoolean())
                    .addDeserializer(Long.class, new QemuInteger<>(Long.class, Long.MIN_VALUE, Long.MAX_VALUE, n -> n))
                    .addDeserializer(long.class, new QemuInteger<>(long.class, Long.MIN_VALUE, Long.MAX_VALUE, n -> n))
                    .addDeserializer(Integer.class, new QemuInteger<>(Integer.class, Integer.MIN_VALUE,
                            Integer.MAX_VALUE, n -> (int) n))
                    .addDeserializer(int.class, new QemuInteger<>(int.class, Integer.MIN_VALUE, Integer.MAX_VALUE,
                            n -> (int) n)))
            .build();

    /**
     * @param <O>     the record type
     * @param type    the record class (from the driver's bundle)
     * @param options the options, without {@code type} and {@code id}
     * @param keyval  whether QEMU parses this type's options with keyval, as {@code -netdev
     *                stream} and {@code dgram}, rather than QemuOpts: it words an unknown one so
     * @return the bound record
     * @throws NetException QEMU's error for a missing, unknown or malformed parameter
     */
    <O> O bind(Class<O> type, Map<String, Object> options, boolean keyval) throws NetException {
        checkRequired(type, options, "");
        try {
            return mapper.convertValue(lastOfRepeated(type, options), type);
        } catch (IllegalArgumentException e) {
            if (keyval && e.getCause() instanceof UnrecognizedPropertyException u) {
                throw NetException.generic("Parameter '%s' is unexpected", path(u));
            }
            throw translate(e);
        }
    }

    /**
     * Binds a device's properties ({@code -device}, {@code device_add}): QEMU words what a device
     * does not have, or a value a property refuses, as a property of its model.
     *
     * @param <O>     the record type
     * @param type    the model's property record
     * @param options the properties, without {@code driver}, {@code id} and {@code netdev}
     * @param model   the model, e.g. {@code e1000}
     * @return the bound record
     * @throws NetException QEMU's error for a missing, unknown or refused property
     */
    <O> O bindDevice(Class<O> type, Map<String, Object> options, String model) throws NetException {
        checkRequired(type, options, "");
        try {
            return mapper.convertValue(lastOfRepeated(type, options), type);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof UnrecognizedPropertyException u) {
                throw NetException.generic("Property '%s.%s' not found", model, path(u));
            }
            if (e.getCause() instanceof InvalidFormatException f && isInteger(f.getTargetType()) && !isLong(f.getValue())) {
                throw NetException.generic("Parameter '%s' expects integer", path(f)); // a device's words for it
            }
            if (e.getCause() instanceof JsonMappingException j && j.getCause() instanceof IllegalArgumentException
                    && !j.getPath().isEmpty()) {
                // A value type's own check (e.g. a MAC address): QEMU's property setters say this.
                String name = path(j);
                throw NetException.generic("Property '%s.%s' doesn't take value '%s'", model, name, options.get(name));
            }
            throw translate(e);
        }
    }

    /**
     * The options as the schema types them, for reporting: a number or boolean given as a string
     * (the command line, a file) becomes the number or boolean it was bound as, as QMP gives it,
     * so that {@code hubid} reads {@code 1} whichever front end set it. Keys and their order stay.
     *
     * @param type    the option record the options were bound to
     * @param options options that bound to it
     * @return the options typed; values of other types as they were
     */
    Map<String, Object> typed(Class<?> type, Map<String, Object> options) {
        if (!type.isRecord()) {
            return options;
        }
        Map<String, Class<?>> types = componentTypes(type);
        Map<String, Object> typed = new LinkedHashMap<>();
        options.forEach((key, value) -> typed.put(key, typedValue(types.get(key), value)));
        return typed;
    }

    private Object typedValue(Class<?> target, Object value) {
        if (target == null || !(value instanceof String) && !(value instanceof Map<?, ?>)) {
            return value;
        }
        if (value instanceof Map<?, ?> nested) {
            @SuppressWarnings("unchecked")
            Map<String, Object> tree = (Map<String, Object>) nested;
            return target.isRecord() ? typed(target, tree) : value;
        }
        if (isInteger(target) || target == boolean.class || target == Boolean.class) {
            try {
                return mapper.convertValue(value, target);
            } catch (IllegalArgumentException e) {
                return value; // it bound, so this is not reached; the text stays as given
            }
        }
        return value;
    }

    /**
     * A key given more than once on a command line ({@link QemuOptions.Repeated}) gives a list
     * option all its values and any other option the last, as QEMU's QemuOpts visitor does.
     */
    private static Map<String, Object> lastOfRepeated(Class<?> type, Map<String, Object> options) {
        if (!type.isRecord() || options.values().stream().noneMatch(QemuOptions.Repeated.class::isInstance)) {
            return options;
        }
        Map<String, Class<?>> types = componentTypes(type);
        Map<String, Object> single = new LinkedHashMap<>(options);
        single.replaceAll((key, value) -> value instanceof QemuOptions.Repeated values
                && !Collection.class.isAssignableFrom(types.getOrDefault(key, Object.class)) ? values.last() : value);
        return single;
    }

    /** @return a record's option names and the types they bind to */
    private static Map<String, Class<?>> componentTypes(Class<?> type) {
        Map<String, Class<?>> types = new HashMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            types.put(propertyName(c), c.getType());
        }
        return types;
    }

    private static void checkRequired(Class<?> type, Map<String, Object> options, String prefix) throws NetException {
        if (!type.isRecord()) {
            return;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
            String name = propertyName(c);
            Object value = options.get(name);
            if (value == null && p != null && p.required()) {
                throw NetException.generic("Parameter '%s%s' is missing", prefix, name);
            }
            if (value instanceof Map<?, ?> nested && c.getType().isRecord()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> tree = (Map<String, Object>) nested;
                checkRequired(c.getType(), tree, prefix + name + ".");
            }
        }
    }

    /**
     * @param type an option record
     * @return the names of its properties as options spell them
     */
    static Set<String> propertyNames(Class<?> type) {
        Set<String> names = new HashSet<>();
        if (type.isRecord()) {
            for (RecordComponent c : type.getRecordComponents()) {
                names.add(propertyName(c));
            }
        }
        return names;
    }

    private static String propertyName(RecordComponent c) {
        // @JsonProperty does not target record components; it lands on the accessor.
        JsonProperty p = c.getAccessor().getAnnotation(JsonProperty.class);
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }

    private static NetException translate(IllegalArgumentException e) {
        Throwable cause = e.getCause();
        if (cause instanceof UnrecognizedPropertyException u) {
            return NetException.generic("Invalid parameter '%s'", path(u));
        }
        if (cause instanceof InvalidFormatException f && f.getTargetType().isEnum()) {
            // QEMU names the member without its path here.
            return NetException.generic("Parameter '%s' does not accept value '%s'", last(f), f.getValue());
        }
        if (cause instanceof InvalidFormatException f) {
            return NetException.generic("Parameter '%s' expects %s", path(f), expected(f.getTargetType(), f.getValue()));
        }
        if (cause instanceof MismatchedInputException m && m.getTargetType() != null) {
            String name = path(m);
            if (name.isEmpty()) {
                return NetException.generic("Invalid parameter type, expected: object");
            }
            return NetException.generic("Invalid parameter type for '%s', expected: %s", name, jsonTypeName(m.getTargetType()));
        }
        if (cause instanceof JsonMappingException j && j.getCause() instanceof IllegalArgumentException iae) {
            // A value type's own check (e.g. ByteSize) says what it expects.
            return NetException.generic("Parameter '%s' expects %s", path(j), iae.getMessage());
        }
        // Whatever else Jackson refuses is said in QEMU's words for a bad value, never in Jackson's.
        if (cause instanceof JsonMappingException j && !j.getPath().isEmpty()) {
            return NetException.generic("Parameter '%s' expects a valid value", path(j));
        }
        return NetException.generic("Invalid parameter type, expected: object");
    }

    private static String last(JsonMappingException e) {
        JsonMappingException.Reference r = e.getPath().getLast();
        return r.getFieldName() != null ? r.getFieldName() : "null";
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : Integer.toString(r.getIndex()))
                .collect(Collectors.joining("."));
    }

    private static String expected(Class<?> target, Object value) {
        if (target == Boolean.class || target == boolean.class) {
            return "'on' or 'off'";
        }
        if (target == ByteSize.class) {
            return "a size value";
        }
        if (target == int.class || target == Integer.class || target == short.class || target == Short.class) {
            // QEMU says "int64 value" for what is no number at all, and names the C type for range.
            return isLong(value) ? (target == int.class || target == Integer.class ? "int32_t" : "int16_t")
                    : "an int64 value";
        }
        if (target == long.class || target == Long.class) {
            return "an int64 value";
        }
        return jsonTypeName(target);
    }

    private static boolean isInteger(Class<?> target) {
        return target == int.class || target == Integer.class || target == long.class || target == Long.class;
    }

    private static boolean isLong(Object value) {
        return value instanceof Number || cLong(String.valueOf(value)) != null;
    }

    /**
     * A number as QEMU's option parser reads it (C's {@code strtoll} with base 0: {@code 0x} hex,
     * a leading {@code 0} octal).
     *
     * @return the value, or null when it is no number or beyond 64 bits
     */
    static Long cLong(String text) {
        String digits = text;
        boolean negative = digits.startsWith("-");
        if (negative || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        int base = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> Character.digit(c, base) >= 0 && c < 0x80)) {
            return null;
        }
        BigInteger n = new BigInteger(digits, radix);
        n = negative ? n.negate() : n;
        return n.bitLength() < 64 ? n.longValue() : null;
    }

    private static String jsonTypeName(Class<?> target) {
        if (target == String.class) {
            return "string";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "bool";
        }
        if (Number.class.isAssignableFrom(target) || target.isPrimitive()) {
            return "number";
        }
        if (java.util.Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "array";
        }
        return "object";
    }

    /** An integer member: JSON integers, and strings as QEMU's option parser reads them, within the Java type's range. */
    private static final class QemuInteger<T> extends JsonDeserializer<T> {
        private final Class<?> type;
        private final long min;
        private final long max;
        private final java.util.function.LongFunction<T> box;

        QemuInteger(Class<?> type, long min, long max, java.util.function.LongFunction<T> box) {
            this.type = type;
            this.min = min;
            this.max = max;
            this.box = box;
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getText();
            Long n = p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_STRING
                    ? cLong(text) : null;
            if (n == null || n < min || n > max) {
                return (T) ctxt.handleWeirdStringValue(type, text, "not a number of the member's range");
            }
            return box.apply(n);
        }
    }

    /** QEMU's boolean spellings: on/off, yes/no, true/false, y/n, and JSON booleans. */
    private static final class QemuBoolean extends JsonDeserializer<Boolean> {
        @Override
        public Boolean deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_TRUE) {
                return Boolean.TRUE;
            }
            if (t == JsonToken.VALUE_FALSE) {
                return Boolean.FALSE;
            }
            if (t == JsonToken.VALUE_STRING) {
                switch (p.getText()) {
                    // QEMU 7.2's qapi_bool_parse: no 1 or 0
                    case "on", "yes", "true", "y" -> {
                        return Boolean.TRUE;
                    }
                    case "off", "no", "false", "n" -> {
                        return Boolean.FALSE;
                    }
                    default -> {
                        // fall through to the error
                    }
                }
            }
            return (Boolean) ctxt.handleWeirdStringValue(Boolean.class, p.getValueAsString(), "not 'on' or 'off'");
        }
    }
}
