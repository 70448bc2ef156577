package net.hub;

import java.util.Map;
import net.api.NetFilter;
import net.hub.data.NetFilterState;

/** A filter object as the control plane knows it; written while claimed, read by queries. */
final class FilterEntry {

    final NetFilterState state;
    final ClientEntry netdev;
    volatile Map<String, Object> options;
    volatile String error;
    /** The open filter, kept for {@link NetFilter#release()} after its loop closed it. */
    volatile NetFilter instance;
    /** The filter driver that opened it, or null. */
    volatile Object openedBy;

    FilterEntry(NetFilterState state, ClientEntry netdev, Map<String, Object> options) {
        this.state = state;
        this.netdev = netdev;
        this.options = options;
    }

    String id() {
        return state.id();
    }
}
