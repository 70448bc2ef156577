package net.hub;

import java.util.Map;
import net.control.Section;
import net.hub.data.NetClientState;

/**
 * A netdev, hubport or NIC as the control plane knows it: its state on the data plane, what it
 * was created from, and which driver opened it. Fields are written while the entry is claimed
 * ({@link Topology#claim}); queries read them without waiting.
 */
final class ClientEntry {

    final NetClientState state;
    /** {@code NETDEV} for -netdev and netdev_add, {@code NET} for a -net backend, {@code DEVICE} for a NIC. */
    final Section section;
    /** Created by -netdev or netdev_add (not by -net, not a hub's automatic port): netdev_del may delete it. */
    final boolean deletable;
    volatile Map<String, Object> options;
    /** Why the last open failed, else null. */
    volatile String error;
    /** The driver that opened what runs now, or null: only its leaving closes the entry. */
    volatile Object openedBy;
    /** For a hubport made from a file before its {@code netdev=}: that netdev's name, else null. */
    volatile String awaiting;
    /** Listed for a file the runtime refused (no id, a bad or taken one, no type): it never opens. */
    volatile boolean refused;

    ClientEntry(NetClientState state, Section section, boolean deletable, Map<String, Object> options) {
        this.state = state;
        this.section = section;
        this.deletable = deletable;
        this.options = options;
    }

    String name() {
        return state.name();
    }

    @Override
    public String toString() {
        return state.toString();
    }
}
