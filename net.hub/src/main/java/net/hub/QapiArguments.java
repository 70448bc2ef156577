package net.hub;

import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.api.NetFilterDirection;
import net.control.QemuOptions;
import net.control.Section;

/**
 * The arguments the runtime reads itself before a driver's option record gets the rest: type, id,
 * {@code -net}'s vlan, the common filter properties. Values are typed (QMP) or strings (command
 * line, configuration files); errors are QEMU's.
 */
final class QapiArguments {

    private QapiArguments() {
    }

    static String requireType(Section section, Map<String, Object> args) throws NetException {
        String type = string(args, section.typeKey());
        if (type == null) {
            throw NetException.generic("Parameter '%s' is missing", section.typeKey());
        }
        return type;
    }

    /** Takes {@code id} out of the arguments. */
    static String requireId(Map<String, Object> args) throws NetException {
        Object id = args.remove("id");
        if (id == null) {
            throw NetException.generic("Parameter 'id' is missing");
        }
        return Ids.check(String.valueOf(id));
    }

    static String string(Map<String, Object> args, String key) throws NetException {
        Object v = args.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof QemuOptions.Repeated values) {
            return values.last(); // QemuOpts' answer for a key given twice
        }
        if (v instanceof Map || v instanceof List) {
            throw NetException.generic("Invalid parameter type for '%s', expected: string", key);
        }
        return String.valueOf(v);
    }

    static int intArgument(Object value, String name, int defaultValue) throws NetException {
        if (value == null) {
            return defaultValue;
        }
        try {
            return value instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw NetException.generic("Parameter '%s' expects an int64 value", name);
        }
    }

    /** A filter's {@code queue}: which frames it sees. */
    static NetFilterDirection direction(Object value) throws NetException {
        if (value == null) {
            return NetFilterDirection.ALL;
        }
        for (NetFilterDirection d : NetFilterDirection.values()) {
            if (d.qapiName().equals(String.valueOf(value))) {
                return d;
            }
        }
        throw NetException.generic("Parameter 'queue' does not accept value '%s'", value);
    }

    /** A filter's {@code status}. */
    static boolean status(Object value) throws NetException {
        if (value == null || "on".equals(String.valueOf(value)) || Boolean.TRUE.equals(value)) {
            return true;
        }
        if ("off".equals(String.valueOf(value)) || Boolean.FALSE.equals(value)) {
            return false;
        }
        throw NetException.generic("Invalid value for netfilter status, should be 'on' or 'off'");
    }

    /** A backend type a netdev may name: not -net's pseudo types, not the runtime's own hubport. */
    static boolean isBackendTypeName(String type) {
        return !type.isEmpty() && !"nic".equals(type) && !"none".equals(type) && !Clients.HUBPORT.equals(type);
    }
}
