package net.hub.data;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.SendResult;
import net.api.SentCallback;
import net.hub.loop.ClientLoop;

/** What one open backend or NIC sees of the runtime; dead once its client is closed. */
public final class ClientContext implements NetClientContext {

    /** Where backends' QMP events go. */
    @FunctionalInterface
    public interface EventSink {
        /**
         * @param name event name
         * @param data event data
         */
        void emit(String name, Map<String, Object> data);
    }

    private final NetClientState state;
    private final ClientLoop loop;
    private final EventSink events;
    /** The open backend's own counters: they go when it closes. */
    private final NamedCounters counters = new NamedCounters();
    private boolean failureLogged;

    /**
     * @param state  the client
     * @param loop   the loop view the backend gets
     * @param events where its events go
     */
    public ClientContext(NetClientState state, ClientLoop loop, EventSink events) {
        this.state = state;
        this.loop = loop;
        this.events = events;
    }

    @Override
    public String id() {
        return state.name();
    }

    @Override
    public String type() {
        return state.type();
    }

    @Override
    public NetEventLoop loop() {
        return loop;
    }

    @Override
    public SendResult send(ByteBuffer frame, SentCallback onSent) {
        if (loop.isClosed()) {
            return SendResult.DROPPED;
        }
        return state.sendToPeer(frame, onSent);
    }

    @Override
    public int sendRun(ByteBuffer run) {
        if (loop.isClosed()) {
            return 0;
        }
        return state.sendRun(run);
    }

    @Override
    public void receiveReady() {
        if (!loop.isClosed()) {
            state.receiveReady();
        }
    }

    @Override
    public void pauseReading() {
        loop.pauseReading();
    }

    @Override
    public void resumeReading() {
        loop.resumeReading();
    }

    @Override
    public boolean isLinkUp() {
        return state.isLinkUp();
    }

    @Override
    public void setLinkUp(boolean up) {
        if (!loop.isClosed()) {
            state.setLink(up);
        }
    }

    @Override
    public NetCounter counter(String name) {
        return counters.get(name);
    }

    @Override
    public NetCounter dropCounter(String reason) {
        return state.counters().dropCounter(reason);
    }

    /** @return the backend's own counters now */
    Map<String, Long> countersSnapshot() {
        return counters.snapshot();
    }

    @Override
    public void event(String name, Map<String, Object> data) {
        events.emit(name, data);
    }

    @Override
    public void ioFailed(NetCounter counter, String message) {
        counter.increment();
        if (!failureLogged) {
            failureLogged = true;
            state.log().log(System.Logger.Level.WARNING, message + " (further errors are only counted)");
        }
    }

    @Override
    public OptionalInt hubId() {
        NetClientState peer = state.peer();
        HubPort port = peer == null ? null : peer.hubPort();
        return port == null ? OptionalInt.empty() : OptionalInt.of(port.hub().id());
    }

    @Override
    public void rxFilterChanged() {
        if (!loop.isClosed() && state.kind() == NetClientState.Kind.NIC && state.takeRxFilterEvent()) {
            events.emit("NIC_RX_FILTER_CHANGED", deviceEvent(state, "name"));
        }
    }

    /**
     * The data of QEMU's events about a device ({@code NIC_RX_FILTER_CHANGED}, {@code DEVICE_DELETED}
     * have the same form): its id, which a device made without one does not have, and its path.
     *
     * @param nic  the NIC
     * @param name the member that names it: {@code name} or {@code device}
     * @return the data, in QEMU's order
     */
    public static Map<String, Object> deviceEvent(NetClientState nic, String name) {
        Map<String, Object> data = new LinkedHashMap<>();
        if (!nic.anonymous()) {
            data.put(name, nic.name());
        }
        data.put("path", nic.devicePath());
        return data;
    }

    @Override
    public System.Logger logger() {
        return state.log();
    }
}
