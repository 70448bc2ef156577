package net.qmp.server;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.api.ByteSize;

/**
 * Writes QAPI introspection ({@code SchemaInfo}, as QEMU 7.2's {@code query-qmp-schema} returns
 * it): commands and events by name, types under masked names ({@code "0"}, {@code "1"}, ... in order
 * of first use, one name for types of the same shape), arrays as {@code [ELEMENT]}, and the built-in
 * types {@code str}, {@code int}, {@code number}, {@code bool}, {@code null} and {@code any}. Java
 * records are described as Jackson binds them, so a driver's option record reads as its QAPI type.
 */
final class SchemaBuilder {

    static final String STR = "str";
    static final String INT = "int";
    static final String NUMBER = "number";
    static final String BOOL = "bool";
    static final String ANY = "any";

    /** A member of an object type. */
    record Member(String name, String type, boolean optional) {
        static Member required(String name, String type) {
            return new Member(name, type, false);
        }

        static Member optional(String name, String type) {
            return new Member(name, type, true);
        }
    }

    private static final Map<String, String> BUILTIN_JSON_TYPES = Map.of(
            STR, "string", INT, "int", NUMBER, "number", BOOL, "boolean", "null", "null", ANY, "value");

    private final ArrayNode entities = QmpJson.MAPPER.createArrayNode();
    private final List<ObjectNode> types = new ArrayList<>();
    private final Map<String, String> byShape = new HashMap<>();
    private final Set<String> builtinsUsed = new HashSet<>();
    private int nextName;
    /** Records being described, so a record that contains itself ends in {@code any}. */
    private final Set<Class<?>> describing = new HashSet<>();

    /** @param name a built-in type; @return it, noted for the output */
    String builtin(String name) {
        if (builtinsUsed.add(name)) {
            types.add(QmpJson.MAPPER.createObjectNode().put("name", name)
                    .put("json-type", BUILTIN_JSON_TYPES.get(name)).put("meta-type", "builtin"));
        }
        return name;
    }

    void command(String name, String argType, String retType) {
        entities.addObject().put("name", name).put("meta-type", "command").put("arg-type", argType)
                .put("ret-type", retType);
    }

    void event(String name, String argType) {
        entities.addObject().put("name", name).put("meta-type", "event").put("arg-type", argType);
    }

    /** @return an object type with these members */
    String object(List<Member> members) {
        ObjectNode type = QmpJson.MAPPER.createObjectNode().put("meta-type", "object");
        type.set("members", members(members));
        return named(type);
    }

    String object(Member... members) {
        return object(List.of(members));
    }

    /**
     * @param base     the common members, the tag among them
     * @param tag      the member whose value picks the branch
     * @param variants per tag value, the object type of its further members
     * @return a flat union type
     */
    String union(List<Member> base, String tag, Map<String, String> variants) {
        ObjectNode type = QmpJson.MAPPER.createObjectNode().put("meta-type", "object");
        type.set("members", members(base));
        type.put("tag", tag);
        ArrayNode list = type.putArray("variants");
        variants.forEach((value, branch) -> list.addObject().put("case", value).put("type", branch));
        return named(type);
    }

    /** @return an enum type with these values */
    String enumeration(Collection<String> values) {
        ObjectNode type = QmpJson.MAPPER.createObjectNode().put("meta-type", "enum");
        ArrayNode members = type.putArray("members");
        values.forEach(v -> members.addObject().put("name", v));
        ArrayNode list = type.putArray("values");
        values.forEach(list::add);
        return named(type);
    }

    /** @return the array type of an element type */
    String array(String element) {
        String name = "[" + element + "]";
        if (byShape.putIfAbsent(name, name) == null) {
            types.add(QmpJson.MAPPER.createObjectNode().put("name", name).put("element-type", element)
                    .put("meta-type", "array"));
        }
        return name;
    }

    /**
     * @param mapper the mapper that binds or writes the record (its naming strategy counts)
     * @param type   a record (or bean)
     * @return the object type of its properties: required ones as such, the others optional
     */
    String record(ObjectMapper mapper, Class<?> type) {
        return object(members(mapper, type));
    }

    /** @return the members of a record, as {@link #record} describes them */
    List<Member> members(ObjectMapper mapper, Class<?> type) {
        List<Member> members = new ArrayList<>();
        if (!describing.add(type)) {
            return members;
        }
        try {
            BeanDescription description = mapper.getDeserializationConfig().introspect(mapper.constructType(type));
            for (BeanPropertyDefinition property : description.findProperties()) {
                members.add(new Member(property.getName(), type(mapper, property.getPrimaryType()),
                        !property.isRequired()));
            }
        } finally {
            describing.remove(type);
        }
        return members;
    }

    private String type(ObjectMapper mapper, JavaType type) {
        Class<?> raw = type.getRawClass();
        // An Instant is ISO-8601 text (QmpJson.DTO).
        if (CharSequence.class.isAssignableFrom(raw) || raw == char.class || raw == Character.class
                || raw == Instant.class) {
            return builtin(STR);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return builtin(BOOL);
        }
        if (raw == byte.class || raw == short.class || raw == int.class || raw == long.class || raw == Byte.class
                || raw == Short.class || raw == Integer.class || raw == Long.class || raw == BigInteger.class
                || raw == ByteSize.class) {
            return builtin(INT);
        }
        if (raw == float.class || raw == double.class || raw == Float.class || raw == Double.class
                || raw == BigDecimal.class) {
            return builtin(NUMBER);
        }
        if (raw.isEnum()) {
            return enumeration(enumValues(mapper, raw));
        }
        if (type.isArrayType() || type.isCollectionLikeType()) {
            return array(type(mapper, type.getContentType()));
        }
        if (raw.isRecord() && !describing.contains(raw)) {
            return record(mapper, raw);
        }
        return builtin(ANY);
    }

    private static List<String> enumValues(ObjectMapper mapper, Class<?> type) {
        List<String> values = new ArrayList<>();
        for (Object constant : type.getEnumConstants()) {
            values.add(mapper.convertValue(constant, String.class));
        }
        return values;
    }

    /** @return every command and event, then every type they use */
    ArrayNode build() {
        ArrayNode out = entities.deepCopy();
        types.forEach(out::add);
        return out;
    }

    private static ArrayNode members(List<Member> members) {
        ArrayNode list = QmpJson.MAPPER.createArrayNode();
        for (Member m : members) {
            ObjectNode member = list.addObject().put("name", m.name());
            if (m.optional()) {
                member.putNull("default");
            }
            member.put("type", m.type());
        }
        return list;
    }

    /** Gives a type its masked name; a type of the same shape keeps the name it has. */
    private String named(ObjectNode type) {
        String shape = type.toString();
        String existing = byShape.get(shape);
        if (existing != null) {
            return existing;
        }
        String name = Integer.toString(nextName++);
        byShape.put(shape, name);
        types.add(QmpJson.MAPPER.createObjectNode().put("name", name).setAll(type));
        return name;
    }
}
