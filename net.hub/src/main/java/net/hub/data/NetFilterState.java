package net.hub.data;

import java.nio.ByteBuffer;
import java.util.Map;
import net.api.NetCounter;
import net.api.NetFilter;
import net.api.NetFilterDirection;
import net.hub.loop.ClientLoop;

/** One filter in a netdev's chain: which frames it sees, whether it is on, and its open instance. */
public final class NetFilterState {

    private final String id;
    private final String type;
    private final NetClientState netdev;
    private final NetFilterDirection queue;
    /** The open filter's own counters, made during its open; a new set once it closes. */
    private volatile NamedCounters counters = new NamedCounters();
    private volatile boolean on;
    private NetFilter filter;
    private ClientLoop filterLoop;

    /**
     * @param id     the object id
     * @param type   the QOM type
     * @param netdev the netdev it filters
     * @param queue  which direction it sees
     * @param on     status
     */
    public NetFilterState(String id, String type, NetClientState netdev, NetFilterDirection queue, boolean on) {
        this.id = id;
        this.type = type;
        this.netdev = netdev;
        this.queue = queue;
        this.on = on;
    }

    public String id() {
        return id;
    }

    public String type() {
        return type;
    }

    public NetClientState netdev() {
        return netdev;
    }

    public NetFilterDirection queue() {
        return queue;
    }

    public boolean isOn() {
        return on;
    }

    /** @return the open filter's counters, by name */
    public Map<String, Long> countersSnapshot() {
        return counters.snapshot();
    }

    NetCounter counter(String name) {
        return counters.get(name);
    }

    /**
     * Sets the status ({@code qom-set ... status}); an open filter hears of a change on its loop
     * (at once when called there).
     *
     * @param status the new status
     */
    public void status(boolean status) {
        if (on == status) {
            return;
        }
        this.on = status;
        if (netdev.loop().inLoop()) {
            tellStatus(status);
        } else {
            netdev.loop().execute(() -> tellStatus(status));
        }
    }

    private void tellStatus(boolean status) {
        NetFilter f = filter;
        if (f != null && on == status) {
            try {
                f.statusChanged(status);
            } catch (RuntimeException e) {
                netdev.log().log(System.Logger.Level.ERROR, id + ": status change failed: " + e, e);
            }
        }
    }

    /** @return whether an open filter is behind this entry */
    public boolean isOpen() {
        return filter != null;
    }

    /**
     * @param opened    the filter instance
     * @param openedLoop its loop view
     */
    public void open(NetFilter opened, ClientLoop openedLoop) {
        this.filter = opened;
        this.filterLoop = openedLoop;
    }

    /** Closes the instance (the entry stays, pending). Call on the netdev's loop. */
    public void close() {
        NetFilter closing = filter;
        filter = null;
        counters = new NamedCounters();
        if (filterLoop != null) {
            filterLoop.close();
            filterLoop = null;
        }
        if (closing != null) {
            try {
                closing.close();
            } catch (RuntimeException e) {
                netdev.log().log(System.Logger.Level.ERROR, id + ": close failed: " + e, e);
            }
        }
    }

    /** @return the filter's own info text, or null when not open */
    public String info() {
        NetFilter f = filter;
        return f == null ? null : f.info();
    }

    boolean pass(ByteBuffer frame, NetFilterDirection direction) {
        NetFilter f = filter;
        if (f == null || !on || (queue != NetFilterDirection.ALL && queue != direction)) {
            return true;
        }
        int position = frame.position();
        int limit = frame.limit();
        try {
            return f.filter(frame, direction);
        } catch (RuntimeException e) {
            counters.get("filter-error").increment();
            netdev.log().log(System.Logger.Level.ERROR, id + ": filter failed: " + e, e);
            return true;
        } finally {
            frame.limit(limit).position(position);
        }
    }
}
