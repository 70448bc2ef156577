package net.qmp.cli;

import java.util.Map;
import java.util.Set;
import net.api.control.Section;
import net.api.dto.FilterDTO;
import net.api.dto.NetClientDTO;
import net.api.dto.NetworkDTO;

/**
 * An option the control service accepted, and where it stands in a snapshot of the topology.
 *
 * @param group     the option as given
 * @param arguments its parsed arguments
 */
record Declared(OptionGroup group, Map<String, Object> arguments) {

    /** The state of a declared item in one snapshot: still waiting, up, or failed with a reason. */
    sealed interface Standing {
    }

    /** Its driver has not come up yet. */
    record Pending() implements Standing {
    }

    /** It runs, or there is nothing of it left to wait for. */
    record Settled() implements Standing {
    }

    /** @param error why it failed, in QEMU's words */
    record Failed(String error) implements Standing {
    }

    /** @return the name the user gave it ({@code id}, or {@code name} for {@code -net}), or null */
    String name() {
        Object id = arguments.get("id");
        if (id == null && group.section() == Section.NET) {
            id = arguments.get("name");
        }
        return id == null ? null : id.toString();
    }

    /** @return the type, model or QOM type */
    String type() {
        Object type = arguments.get(group.section().typeKey());
        return type == null ? null : type.toString();
    }

    /**
     * @param network a snapshot of the topology
     * @param named   the names of every declared item, so an unnamed one is not confused with them
     * @return where this item stands
     */
    Standing standing(NetworkDTO network, Set<String> named) {
        String name = name();
        for (NetClientDTO c : network.clients()) {
            if (group.section() == Section.OBJECT) {
                for (FilterDTO f : c.filters() == null ? java.util.List.<FilterDTO>of() : c.filters()) {
                    if (f.id().equals(name)) {
                        return of(f.state(), f.error());
                    }
                }
            } else if (matches(c, name, named)) {
                Standing s = of(c.state(), c.error());
                if (name != null || !(s instanceof Settled)) {
                    return s;
                }
            }
        }
        return new Settled();
    }

    /**
     * A named item is its own client; an unnamed one (the runtime names it) is any client of its
     * type that no declared name claims.
     */
    private boolean matches(NetClientDTO c, String name, Set<String> named) {
        boolean nic = "nic".equals(c.kind());
        if (nic != (group.section() == Section.DEVICE || "nic".equals(type()))) {
            return false;
        }
        if (name != null) {
            return c.name().equals(name);
        }
        return !"hubport".equals(c.kind()) && c.type().equals(type()) && !named.contains(c.name());
    }

    private static Standing of(String state, String error) {
        return switch (state) {
            case "pending" -> new Pending();
            case "failed" -> new Failed(error);
            default -> new Settled();
        };
    }
}
