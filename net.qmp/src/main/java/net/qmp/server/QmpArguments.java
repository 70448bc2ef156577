package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.api.NetException;

/**
 * The {@code arguments} of a built-in command, checked as QEMU's QAPI input visitor checks them:
 * members in schema order (missing, then wrong type), then {@link #done()} rejects any member left
 * over. Commands read every argument and call {@link #done()} before their first side effect.
 */
final class QmpArguments {

    private final ObjectNode arguments;
    private final Set<String> read = new HashSet<>();

    QmpArguments(ObjectNode arguments) {
        this.arguments = arguments;
    }

    /** @return a required string member */
    String string(String name) throws NetException {
        return required(name, JsonNodeType.STRING, "string").textValue();
    }

    /** @return an optional string member, or null */
    String optionalString(String name) throws NetException {
        JsonNode value = optional(name, JsonNodeType.STRING, "string");
        return value == null ? null : value.textValue();
    }

    /** @return a required boolean member */
    boolean bool(String name) throws NetException {
        return required(name, JsonNodeType.BOOLEAN, "boolean").booleanValue();
    }

    /** @return a required integer member */
    long integer(String name) throws NetException {
        Long value = optionalInteger(name);
        if (value == null) {
            throw NetException.generic("Parameter '%s' is missing", name);
        }
        return value;
    }

    /** @return an optional integer member, or null */
    Long optionalInteger(String name) throws NetException {
        JsonNode value = optional(name, JsonNodeType.NUMBER, "integer");
        // QEMU's int64: a fraction (1.0 too) or a number beyond 64 bits is no integer.
        if (value != null && !(value.isIntegralNumber() && value.canConvertToLong())) {
            throw typeError(name, "integer");
        }
        return value == null ? null : value.longValue();
    }

    /** @return a required member of any JSON type ({@code qom-set}'s {@code value}) */
    JsonNode any(String name) throws NetException {
        read.add(name);
        JsonNode value = arguments.get(name);
        if (value == null) {
            throw NetException.generic("Parameter '%s' is missing", name);
        }
        return value;
    }

    /** @return an optional object member, or null */
    ObjectNode optionalObject(String name) throws NetException {
        return (ObjectNode) optional(name, JsonNodeType.OBJECT, "object");
    }

    /** @return an optional list of strings, or null; an element of another type is named by its index */
    List<String> optionalStrings(String name) throws NetException {
        JsonNode array = optionalArray(name);
        if (array == null) {
            return null;
        }
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            if (!array.get(i).isTextual()) {
                throw typeError(name + "[" + i + "]", "string");
            }
            strings.add(array.get(i).textValue());
        }
        return strings;
    }

    /** @return an optional array member, or null */
    JsonNode optionalArray(String name) throws NetException {
        return optional(name, JsonNodeType.ARRAY, "array");
    }

    /**
     * Takes every member, for commands whose members a schema of their own checks.
     *
     * @return the arguments
     */
    ObjectNode all() {
        arguments.properties().forEach(e -> read.add(e.getKey()));
        return arguments;
    }

    /**
     * Takes every member not read so far, for commands whose members belong to a driver.
     *
     * @return those members as a plain Java tree, in the order given
     */
    Map<String, Object> rest() {
        Map<String, Object> rest = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : arguments.properties()) {
            if (read.add(e.getKey())) {
                rest.put(e.getKey(), QmpJson.toJava(e.getValue()));
            }
        }
        return rest;
    }

    /**
     * Rejects members that no read asked for.
     *
     * @throws NetException {@code Parameter 'foo' is unexpected}
     */
    void done() throws NetException {
        for (Map.Entry<String, JsonNode> e : QmpJsonWriter.qdictOrder(arguments.properties())) {
            if (!read.contains(e.getKey())) {
                throw unexpected(e.getKey());
            }
        }
    }

    /** @return QEMU 7.2's error for a member the command does not have */
    static NetException unexpected(String name) {
        return NetException.generic("Parameter '%s' is unexpected", name);
    }

    private JsonNode required(String name, JsonNodeType type, String word) throws NetException {
        JsonNode value = optional(name, type, word);
        if (value == null) {
            throw NetException.generic("Parameter '%s' is missing", name);
        }
        return value;
    }

    private JsonNode optional(String name, JsonNodeType type, String word) throws NetException {
        read.add(name);
        JsonNode value = arguments.get(name);
        if (value == null) {
            return null;
        }
        if (value.getNodeType() != type) {
            throw typeError(name, word);
        }
        return value;
    }

    private static NetException typeError(String name, String word) {
        return NetException.generic("Invalid parameter type for '%s', expected: %s", name, word);
    }
}
