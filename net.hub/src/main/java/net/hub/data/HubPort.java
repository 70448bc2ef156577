package net.hub.data;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.NetClient;
import net.api.SentCallback;
import net.hub.loop.Mailbox;

/**
 * The backend of a hubport: frames from its peer go to the hub, and come back out of the others.
 *
 * <p>A frame its peer sent with a sent callback may be <em>held</em> (see {@link Hub}): when a copy
 * of it waits in another port's queue, the callback runs once every such copy is out, so the
 * sender pauses as it would behind a two-port hub. The gate state below is this port's as a
 * source; {@link #lagging} is its state as a destination. All of it is used on the port's loop.
 */
public final class HubPort implements NetClient {

    /**
     * How long a held sender waits for the other ports' peers before the hub stops waiting for the
     * ones that still hold its copy: a peer that sits on a frame this long is taken for dead, not
     * slow.
     */
    static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** The count in {@code driver} counters of the times the hub stopped waiting for this port's peer. */
    static final String STALLS = "hub-wait-timeout";

    private final Hub hub;
    private final NetClientState state;
    private volatile boolean attached = true;
    /** Whether this port's peer refuses frames now; read by ports on other loops. */
    private volatile boolean peerBlocked;

    // As a source: the sender's callback offered for the frame in receive(), and the one held.
    private SentCallback offered;
    private boolean tookCallback;
    private SentCallback held;
    private int heldLength;
    private long heldSince;
    /** Copies of this port's frames queued at other ports with {@link #copySent}. */
    private int outstanding;
    private boolean stallCheckArmed;
    /** One instance for every copy: the copy left a queue (sent, dropped, or purged). */
    final SentCallback copySent = length -> copyOut();
    private final Runnable stallCheck = this::checkStall;

    // As a destination: the hub stopped waiting for this port's peer; copies go as QEMU's do.
    boolean lagging;
    private long stalls;
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
        SentCallback onSent = offered;
        offered = null;
        tookCallback = hub.forward(this, frame, onSent, outstanding == 0) && hold(onSent, frame.remaining());
        return Delivery.DELIVERED;
    }

    /**
     * Called right before this port's {@code receive}: the sender's callback for that frame.
     *
     * @param onSent the callback, or null
     */
    void offer(SentCallback onSent) {
        offered = onSent;
        tookCallback = false;
    }

    /** @return whether the last frame received kept the sender's callback: it runs when the copies are out */
    boolean tookCallback() {
        boolean took = tookCallback;
        tookCallback = false;
        return took;
    }

    /** A copy was queued at another port with {@link #copySent}. */
    void copyQueued() {
        outstanding++;
    }

    /** @return whether the callback is held: false when every copy went out before forward returned */
    private boolean hold(SentCallback onSent, int length) {
        if (outstanding == 0) {
            return false;
        }
        held = onSent;
        heldLength = length;
        heldSince = System.nanoTime();
        if (!stallCheckArmed) {
            stallCheckArmed = true;
            state.clientLoop().schedule(stallCheck, STALL_NANOS, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    private void copyOut() {
        if (outstanding > 0 && --outstanding == 0) {
            releaseSender();
        }
    }

    private void releaseSender() {
        SentCallback onSent = held;
        if (onSent != null) {
            held = null;
            state.runSentCallback(onSent, heldLength);
        }
    }

    /** The sender closed: nothing is called back any more; its copies still go out. */
    void senderClosed() {
        held = null;
    }

    /**
     * Runs at most once a {@link #STALL_NANOS} while a sender is held (one timer for many holds, no
     * allocation per frame): a hold older than that gives up on the ports whose peers still hold
     * its copy.
     */
    private void checkStall() {
        stallCheckArmed = false;
        if (held == null || state.clientLoop() == null) {
            return;
        }
        long waited = System.nanoTime() - heldSince;
        if (waited < STALL_NANOS) {
            stallCheckArmed = true;
            state.clientLoop().schedule(stallCheck, STALL_NANOS - waited, TimeUnit.NANOSECONDS);
            return;
        }
        outstanding -= hub.stopWaiting(this);
        if (outstanding <= 0) {
            outstanding = 0;
            releaseSender();
        }
    }

    /**
     * The hub stops waiting for this port's peer if it holds a copy of {@code source}'s frame: the
     * copy no longer holds the source, and new copies go without a callback until the peer takes
     * frames again.
     *
     * @return how many of {@code source}'s copies were queued here
     */
    int stopWaitingFor(HubPort source) {
        NetClientState peer = state.peer();
        int forgotten = peer == null ? 0 : peer.forgetCallbacks(source.copySent);
        if (forgotten > 0 && !lagging) {
            lagging = true;
            stalls++;
            state.log().log(System.Logger.Level.WARNING, state.name() + ": hub " + hub.id()
                    + " stopped waiting for this port's peer, which held a frame for "
                    + TimeUnit.NANOSECONDS.toMillis(STALL_NANOS) + " ms: frames for it are queued up to "
                    + PacketQueue.LIMIT + ", then dropped, until it takes them again");
        }
        return forgotten;
    }

    /** @return whether copies to this port may hold their sender: its peer was not given up on, or takes frames again */
    boolean waitedFor() {
        if (lagging && canSend()) {
            lagging = false;
        }
        return !lagging;
    }

    /** @return this port's own counters, for its {@code driver} group */
    Map<String, Long> counters() {
        return stalls == 0 ? Map.of() : Map.of(STALLS, stalls);
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
