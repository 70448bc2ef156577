package net.qmp.cli;

import net.control.Section;
import net.control.dto.FilterDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;

/**
 * An option the control service accepted, under the name it was given, and where it stands in a
 * snapshot of the topology.
 *
 * @param group the option as given
 * @param name  what the control service named it (a filter's id, a netdev's or NIC's name), or
 *              null when it created nothing ({@code -net none})
 * @param nic   whether it is a NIC ({@code -device}, {@code -net nic}): NICs and netdevs have
 *              separate names
 */
record Declared(OptionGroup group, String name, boolean nic) {

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

    /**
     * @param network a snapshot of the topology
     * @return where this item stands
     */
    Standing standing(NetworkDTO network) {
        if (name == null) {
            return new Settled();
        }
        boolean filter = group.section() == Section.OBJECT;
        for (NetClientDTO c : network.clients()) {
            if (filter) {
                for (FilterDTO f : c.filters()) {
                    if (f.id().equals(name)) {
                        return of(f.state(), f.error());
                    }
                }
            } else if (c.name().equals(name) && "nic".equals(c.kind()) == nic) {
                return of(c.state(), c.error());
            }
        }
        return new Settled(); // deleted meanwhile: nothing to wait for
    }

    private static Standing of(String state, String error) {
        return switch (state) {
            case "pending" -> new Pending();
            case "failed" -> new Failed(error);
            default -> new Settled();
        };
    }
}
