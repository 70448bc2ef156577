package net.hub.data;

import java.nio.ByteBuffer;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;
import net.api.SendResult;
import net.hub.loop.ClientLoop;

/** What one open filter sees of the runtime. */
public final class FilterContext implements NetFilterContext {

    private final NetFilterState state;
    private final ClientLoop loop;
    private final ClientContext.EventSink events;

    /**
     * @param state  the filter
     * @param loop   its loop view (the netdev's loop)
     * @param events where its events go
     */
    public FilterContext(NetFilterState state, ClientLoop loop, ClientContext.EventSink events) {
        this.state = state;
        this.loop = loop;
        this.events = events;
    }

    @Override
    public String id() {
        return state.id();
    }

    @Override
    public String netdev() {
        return state.netdev().name();
    }

    @Override
    public NetFilterDirection queue() {
        return state.queue();
    }

    @Override
    public NetEventLoop loop() {
        return loop;
    }

    @Override
    public NetCounter counter(String name) {
        return state.counter(name);
    }

    @Override
    public System.Logger logger() {
        return state.netdev().log();
    }

    @Override
    public void event(String name, java.util.Map<String, Object> data) {
        events.emit(name, data);
    }

    @Override
    public SendResult passOn(ByteBuffer frame, NetFilterDirection direction) {
        return state.netdev().passOn(state, frame, direction);
    }
}
