package net.chardev.socket;

import java.util.LinkedHashMap;
import java.util.Map;
import net.api.NetException;

/**
 * The members of one QMP object, taken one by one with QMP's strict typing and QEMU's texts for
 * what is missing, mistyped or left over; names are reported with their full dotted path.
 */
final class Members {

    private final Map<String, Object> members;
    private final String path;

    Members(Map<String, Object> members, String path) {
        this.members = new LinkedHashMap<>(members);
        this.path = path;
    }

    private String name(String member) {
        return path + "." + member;
    }

    private Object take(String member, boolean required) throws NetException {
        Object value = members.remove(member);
        if (value == null && required) {
            throw NetException.generic("Parameter '%s' is missing", name(member));
        }
        return value;
    }

    private NetException type(String member, String expected) {
        return NetException.generic("Invalid parameter type for '%s', expected: %s", name(member), expected);
    }

    @SuppressWarnings("unchecked")
    Members object(String member, boolean required) throws NetException {
        Object value = take(member, required);
        if (value == null) {
            return new Members(Map.of(), name(member));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw type(member, "object");
        }
        return new Members((Map<String, Object>) map, name(member));
    }

    String string(String member, boolean required) throws NetException {
        Object value = take(member, required);
        if (value != null && !(value instanceof String)) {
            throw type(member, "string");
        }
        return (String) value;
    }

    Boolean bool(String member) throws NetException {
        Object value = take(member, false);
        if (value != null && !(value instanceof Boolean)) {
            throw type(member, "boolean");
        }
        return (Boolean) value;
    }

    Long integer(String member) throws NetException {
        Object value = take(member, false);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Integer || value instanceof Long)) {
            throw type(member, "integer");
        }
        return ((Number) value).longValue();
    }

    /** @throws NetException naming the first member nobody took */
    void noMore() throws NetException {
        if (!members.isEmpty()) {
            throw NetException.generic("Parameter '%s' is unexpected", name(members.keySet().iterator().next()));
        }
    }
}
