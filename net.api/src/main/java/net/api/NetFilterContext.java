package net.api;

import org.osgi.annotation.versioning.ProviderType;

/** The runtime's side of one filter. */
@ProviderType
public interface NetFilterContext {

    /** @return the filter object's id */
    String id();

    /** @return the id of the netdev the filter is attached to */
    String netdev();

    /** @return which frames the filter sees (its {@code queue} property): a filter that makes frames sends them this way */
    NetFilterDirection queue();

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

    /**
     * Passes a frame on from this filter, as QEMU's {@code qemu_netfilter_pass_to_next}: through
     * the filters after this one in the direction's order, then to the receiver (its queue when it
     * cannot take the frame now, bounded as every queue). For frames a filter held back
     * ({@code filter-buffer}) or read from elsewhere ({@code filter-redirector}). Call on the loop.
     *
     * @param frame     the frame between position and limit; copied when it has to wait, so the
     *                  caller may reuse the buffer on return; pass a read-only view to save a copy
     *                  of the view itself
     * @param direction {@link NetFilterDirection#TX}: as sent by the netdev, to its peer;
     *                  {@link NetFilterDirection#RX}: as sent to the netdev, by its peer
     * @return what happened: dropped (and counted) when there is no receiver
     */
    SendResult passOn(java.nio.ByteBuffer frame, NetFilterDirection direction);
}
