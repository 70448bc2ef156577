package net.api;

import org.osgi.annotation.versioning.ProviderType;

/** The runtime's side of one filter. */
@ProviderType
public interface NetFilterContext {

    /** @return the filter object's id */
    String id();

    /** @return the id of the netdev the filter is attached to */
    String netdev();

    /** @return the event loop of the netdev; timers scheduled here are cancelled with the filter */
    NetEventLoop loop();

    /**
     * A counter of this filter, shown with it ({@code net:filters}, {@code x-query-netdevs}). It
     * lives as long as this open filter and disappears with it.
     *
     * @param name a short lower-case name
     * @return the filter's counter of that name
     */
    NetCounter counter(String name);

    /** @return a logger whose records name this filter */
    System.Logger logger();

    /**
     * Emits a management event (a QMP event, and to every {@code NetEventListener}), e.g. a
     * capture that stopped on a write error.
     *
     * @param name the event name, QEMU style ({@code X_CAPTURE_STOPPED})
     * @param data its data
     */
    void event(String name, java.util.Map<String, Object> data);
}
