package net.hub.data;

import java.nio.ByteBuffer;
import net.api.Delivery;
import net.api.NetClient;
import net.hub.loop.Mailbox;

/** The backend of a hubport: frames from its peer go to the hub, and come back out of the others. */
public final class HubPort implements NetClient {

    private final Hub hub;
    private final NetClientState state;
    private volatile boolean attached = true;
    /** Whether this port's peer refuses frames now; read by ports on other loops. */
    private volatile boolean peerBlocked;
    /** Copies from ports on other loops arrive here, on this port's loop. */
    final Mailbox.Receiver fromOtherLoop = frame -> {
        if (attached) {
            state().sendToPeer(frame, null);
        }
    };

    HubPort(Hub hub, NetClientState state) {
        this.hub = hub;
        this.state = state;
    }

    /** @return the hub */
    public Hub hub() {
        return hub;
    }

    NetClientState state() {
        return state;
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        hub.forward(this, frame);
        return Delivery.DELIVERED;
    }

    @Override
    public boolean canReceive() {
        return hub.canReceiveFrom(this);
    }

    void peerBlocked(boolean blocked) {
        if (peerBlocked != blocked) {
            peerBlocked = blocked;
        }
    }

    /** @return the last known state of this port's peer, for a sender on another loop */
    boolean canSendFromOtherLoop() {
        return !peerBlocked;
    }

    boolean canSend() {
        NetClientState peer = state.peer();
        if (peer == null || peer.client() == null) {
            return true; // frames to nowhere are discarded, they do not block the hub
        }
        return peer.acceptsFrames();
    }

    @Override
    public String info() {
        return "";
    }

    @Override
    public void close() {
        attached = false;
        hub.removePort(this);
    }
}
