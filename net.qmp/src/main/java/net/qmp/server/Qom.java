package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.NetControl;
import net.control.dto.FilterDTO;
import net.control.dto.NetClientDTO;

/**
 * {@code qom-get} and {@code qom-set} on the one part of QEMU's object tree Patchbay has: filter
 * objects at {@code /objects/ID} (or {@code ID} alone, QEMU's partial path). A filter's
 * {@code type}, {@code netdev}, {@code queue}, {@code status} and the options it was created with
 * can be read; {@code status} can be set, which turns the filter off or on without reopening it.
 * Paths and errors as QEMU 7.2 words them.
 */
final class Qom {

    private static final String OBJECTS = "objects";
    private static final String STATUS = "status";

    private final NetControl control;

    Qom(NetControl control) {
        this.control = control;
    }

    /** {@code qom-get}. */
    JsonNode get(String path, String property) throws NetException {
        FilterDTO filter = resolve(path);
        if (filter == null) {
            return switch (property) {
                case "type" -> TextNode.valueOf("container");
                default -> throw notFound("container", property);
            };
        }
        return switch (property) {
            case "type" -> TextNode.valueOf(filter.type());
            case "netdev" -> TextNode.valueOf(filter.netdev());
            case "queue" -> TextNode.valueOf(filter.queue());
            case STATUS -> TextNode.valueOf(filter.status());
            default -> {
                if (filter.options() == null || !filter.options().containsKey(property)) {
                    throw notFound(filter.type(), property);
                }
                yield QmpJson.MAPPER.valueToTree(filter.options().get(property));
            }
        };
    }

    /** A value to set, read once the path is known to exist (HMP's {@code -j} parses it then). */
    @FunctionalInterface
    interface Value {
        JsonNode get() throws NetException;
    }

    /** {@code qom-set}: only a filter's {@code status} changes while it exists. */
    void set(String path, String property, Value given) throws NetException {
        FilterDTO filter = resolve(path);
        JsonNode value = given.get();
        String type = filter == null ? "container" : filter.type();
        boolean known = filter != null && (List.of("type", "netdev", "queue", STATUS).contains(property)
                || filter.options() != null && filter.options().containsKey(property));
        if (!known) {
            throw notFound(type, property);
        }
        if (!property.equals(STATUS)) {
            throw NetException.generic("Property '%s.%s' is not writable", type, property);
        }
        if (!value.isTextual()) {
            throw NetException.generic("Invalid parameter type for '%s', expected: string", STATUS);
        }
        boolean on = switch (value.textValue()) {
            case "on" -> true;
            case "off" -> false;
            default -> throw NetException.generic("Invalid value for netfilter status, should be 'on' or 'off'");
        };
        control.setFilterStatus(filter.id(), on);
    }

    /**
     * @return the filter the path names, or null for a container ({@code /}, {@code /objects})
     * @throws NetException DeviceNotFound for anything else
     */
    private FilterDTO resolve(String path) throws NetException {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        if (path.startsWith("/")) {
            if (parts.isEmpty() || parts.equals(List.of(OBJECTS))) {
                return null;
            }
            if (parts.size() == 2 && parts.get(0).equals(OBJECTS)) {
                FilterDTO filter = filter(parts.get(1));
                if (filter != null) {
                    return filter;
                }
            }
        } else if (parts.size() == 1) {
            FilterDTO filter = filter(parts.get(0));
            if (filter != null) {
                return filter;
            }
        }
        throw new NetException(ErrorClass.DeviceNotFound, "Device '" + path + "' not found");
    }

    private FilterDTO filter(String id) {
        for (NetClientDTO client : control.network().clients()) {
            if (client.filters() != null) {
                for (FilterDTO f : client.filters()) {
                    if (f.id().equals(id)) {
                        return f;
                    }
                }
            }
        }
        return null;
    }

    private static NetException notFound(String type, String property) {
        return NetException.generic("Property '%s.%s' not found", type, property);
    }
}
