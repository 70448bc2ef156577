package net.hub.data;

import java.nio.ByteBuffer;
import java.util.Map;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetFilterDirection;
import net.api.SendResult;
import net.api.SentCallback;
import net.hub.loop.ClientLoop;
import net.hub.loop.EventLoop;

/**
 * One net client (netdev, hubport or NIC): its place in the topology, and the QEMU send/queue/flush
 * rules for frames to and from it. Topology fields are changed by the control plane on this
 * client's loop; the frame path runs on that loop only, without locks.
 */
public final class NetClientState {

    /** What kind of client this is. */
    public enum Kind {
        /** A backend created with -netdev, -net or netdev_add. */
        NETDEV("netdev"),
        /** A port of a hub. */
        HUBPORT("hubport"),
        /** An in-process NIC created with -device. */
        NIC("nic");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** @return the name users see */
        public String label() {
            return label;
        }
    }

    /** Where QEMU puts the devices made without an id. */
    public static final String ANONYMOUS_DEVICES = "/machine/peripheral-anon/";

    private final String name;
    private volatile String type;
    private final Kind kind;
    private final EventLoop loop;
    private final System.Logger log;
    private final ClientCounters counters = new ClientCounters();
    private final PacketQueue incoming = new PacketQueue(new FramePool());
    private final Runnable flushTask = this::flushQueue;
    /**
     * The read-only view of the buffer this client last sent from, and that buffer: backends send
     * from the same buffer frame after frame, so the view is made once, not once per frame.
     */
    private ByteBuffer sentFrom;
    private ByteBuffer sentView;
    private boolean receiveFailureLogged;

    // Topology and state: changed on the loop by the control plane.
    private NetClientState peer;
    private NetClient client;
    private ClientLoop clientLoop;
    private ClientContext context;
    private HubPort hubPort;
    private NetFilterState[] filters = new NetFilterState[0];
    private boolean linkDown;
    private boolean receiveDisabled;
    private boolean rxFilterEventArmed = true; // QEMU's flood protection for NIC_RX_FILTER_CHANGED
    /** A NIC's device path in QEMU's QOM tree, set before it opens; null for a netdev. */
    private volatile String devicePath;
    private BackendFailures failures = (client, broken, reason) -> { };
    private Runnable linkChanged = () -> { };

    /**
     * @param name the netdev id or NIC name
     * @param type the driver type or NIC model
     * @param kind what it is
     * @param loop the loop that owns it
     * @param log  its logger
     */
    public NetClientState(String name, String type, Kind kind, EventLoop loop, System.Logger log) {
        this.name = name;
        this.type = type;
        this.kind = kind;
        this.loop = loop;
        this.log = log;
    }

    public String name() {
        return name;
    }

    public String type() {
        return type;
    }

    /** @param newType the driver type the entry's options now name (an update changed it) */
    public void type(String newType) {
        this.type = newType;
    }

    public Kind kind() {
        return kind;
    }

    public EventLoop loop() {
        return loop;
    }

    public System.Logger log() {
        return log;
    }

    /** @param handler told when this client's backend throws from {@code receive} (set before it opens) */
    public void onFailure(BackendFailures handler) {
        this.failures = handler;
    }

    /** @param handler told when this client's link changes, or its NIC peer's with it (set before it opens) */
    public void onLinkChange(Runnable handler) {
        this.linkChanged = handler;
    }

    public ClientCounters counters() {
        return counters;
    }

    public NetClientState peer() {
        return peer;
    }

    public NetClient client() {
        return client;
    }

    public HubPort hubPort() {
        return hubPort;
    }

    public boolean isLinkUp() {
        return !linkDown;
    }

    public int queued() {
        return incoming.size();
    }

    public NetFilterState[] filters() {
        return filters;
    }

    /** @param filterChain the new chain, head first (copy-on-write; set on the loop) */
    public void filters(NetFilterState[] filterChain) {
        this.filters = filterChain;
    }

    void hubPort(HubPort port) {
        this.hubPort = port;
    }

    /**
     * Links two clients as peers (both on this loop).
     *
     * @param other the new peer, or null to detach
     */
    public void peer(NetClientState other) {
        this.peer = other;
    }

    /**
     * Makes the client live with an open backend.
     *
     * @param openClient  the backend
     * @param openLoop    its loop view
     * @param openContext what the backend was given (its own counters live there), or null for a
     *                    hubport
     */
    public void open(NetClient openClient, ClientLoop openLoop, ClientContext openContext) {
        this.client = openClient;
        this.clientLoop = openLoop;
        this.context = openContext;
        this.receiveDisabled = false;
        this.receiveFailureLogged = false;
    }

    /**
     * Closes the backend, QEMU's cleanup order: frames it queued at its peer are purged, frames
     * queued for it are dropped and their senders released, its channels and timers are cancelled.
     * The topology (peer, hub, filters) stays. Call on the loop.
     */
    public void close() {
        if (peer != null) {
            // A hubport's frames are a hub's copies: their callbacks are the hub's, told as a sender's would be.
            counters.drop(DropReason.PURGED, peer.incoming.purge(this, hubPort != null));
            if (peer.hubPort != null) {
                peer.hubPort.senderClosed();
            }
        }
        counters.drop(DropReason.PURGED, incoming.purge(null, true));
        NetClient closing = client;
        client = null;
        context = null;
        sentFrom = null; // the backend's buffers go with it
        sentView = null;
        if (clientLoop != null) {
            clientLoop.close();
            clientLoop = null;
        }
        if (closing != null) {
            try {
                closing.close();
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.ERROR, name + ": close failed: " + e, e);
            }
            loop.flushCancelledKeys(); // sockets the backend closed are released before we return
        }
    }

    /**
     * Sends a frame to the peer: this client's filters (tx), the peer's filters (rx), then delivery
     * or the peer's queue. Filters and receivers see the frame read-only: a hub hands one frame to
     * every port, so none may change what the others get, nor the sender's buffer.
     *
     * @param frame  the frame between position and limit; unchanged on return
     * @param onSent the sender's callback, or null
     * @return what happened
     */
    public SendResult sendToPeer(ByteBuffer frame, SentCallback onSent) {
        int len = frame.remaining();
        if (len > PacketQueue.MAX_FRAME) {
            counters.drop(DropReason.OVERSIZED);
            return SendResult.DROPPED;
        }
        if (linkDown) {
            counters.drop(DropReason.LINK_DOWN);
            return SendResult.DROPPED;
        }
        ByteBuffer view = readOnly(frame);
        if (!passFilters(view, NetFilterDirection.TX)) {
            return SendResult.SENT;
        }
        NetClientState receiver = peer;
        if (receiver == null) {
            counters.drop(DropReason.NO_PEER);
            return SendResult.DROPPED;
        }
        if (receiver.client == null) {
            counters.drop(DropReason.PEER_PENDING);
            return SendResult.DROPPED;
        }
        if (!receiver.passFilters(view, NetFilterDirection.RX)) {
            return SendResult.SENT;
        }
        return deliverTo(receiver, view, onSent, len);
    }

    /**
     * Sends a run of stream-framed frames to the netdev at the other end of a two-port hub in one
     * hand-over, where the frames would go there one by one anyway: nothing on the way filters,
     * queues or has its link down, the receiver takes frames now, and both ports share this loop.
     * Every client on the way counts the frames as if they had gone one by one.
     *
     * @param run whole frames, each behind its 4-byte big-endian length; unchanged on return
     * @return the bytes the receiver took, whole frames; 0 when the run must go frame by frame
     */
    public int sendRun(ByteBuffer run) {
        NetClientState in = runHubPort();
        NetClientState out = in == null ? null : runOtherPort(in);
        NetClientState receiver = out == null ? null : out.peer;
        if (receiver == null || !receiver.takesRunsNow()) {
            return 0;
        }
        int taken;
        receiver.incoming.delivering = true;
        try {
            taken = receiver.client.receiveRun(run.isReadOnly() ? run : run.asReadOnlyBuffer());
        } catch (RuntimeException e) {
            return 0; // frame by frame then, where receive() failures are counted and logged
        } finally {
            receiver.incoming.delivering = false;
        }
        if (taken <= 0) {
            return 0;
        }
        int frames = 0;
        for (int at = run.position(), end = at + taken; at < end; at += 4 + run.getInt(at)) {
            frames++;
        }
        long bytes = taken - 4L * frames;
        counters.tx(frames, bytes);
        in.counters.rx(frames, bytes);
        out.counters.tx(frames, bytes);
        receiver.counters.rx(frames, bytes);
        loop.framesSent(2 * frames);
        return taken;
    }

    /** @return this client's peer when it is a hubport a run may pass: open, link up, no filter or queue */
    private NetClientState runHubPort() {
        NetClientState in = peer;
        if (linkDown || filters.length != 0 || in == null || in.hubPort == null) {
            return null;
        }
        return in.passesRuns() && !in.receiveDisabled && in.incoming.isEmpty() && !in.incoming.delivering ? in : null;
    }

    /** @return the other port of {@code in}'s hub when it has two, on this loop, open, link up and unfiltered */
    private NetClientState runOtherPort(NetClientState in) {
        HubPort other = in.hubPort.hub().otherOfTwo(in.hubPort);
        NetClientState out = other == null ? null : other.state();
        return out != null && out.loop == loop && out.passesRuns() ? out : null;
    }

    /** @return whether this client, a hubport's peer, takes a run now: open, link up, unfiltered, nothing queued */
    private boolean takesRunsNow() {
        return passesRuns() && !incoming.delivering && acceptsFrames();
    }

    /** @return whether a run may pass through this client: open, link up, and no filter to see each frame */
    private boolean passesRuns() {
        return client != null && !linkDown && filters.length == 0;
    }

    /**
     * Passes on a frame a filter of this netdev holds or made, QEMU's
     * {@code qemu_netfilter_pass_to_next}: the filters after it in the direction's order, then the
     * receiver (the peer for TX, this netdev for RX), without the receiver's own filters.
     *
     * @param from      the filter passing it on; if it has left the chain, no filter runs
     * @param frame     the frame between position and limit; unchanged on return
     * @param direction TX: as sent by this netdev; RX: as sent to it by its peer
     * @return what happened
     */
    public SendResult passOn(NetFilterState from, ByteBuffer frame, NetFilterDirection direction) {
        int len = frame.remaining();
        if (len > PacketQueue.MAX_FRAME) {
            counters.drop(DropReason.OVERSIZED);
            return SendResult.DROPPED;
        }
        // A filter's own buffer is not the one readOnly() caches: filters keep read-only views.
        ByteBuffer view = frame.isReadOnly() ? frame : frame.asReadOnlyBuffer();
        NetFilterState[] chain = filters;
        int at = -1;
        for (int i = 0; i < chain.length; i++) {
            if (chain[i] == from) {
                at = i;
                break;
            }
        }
        NetClientState sender = this;
        NetClientState receiver = peer;
        if (direction == NetFilterDirection.TX) {
            for (int i = at < 0 ? chain.length : at + 1; i < chain.length; i++) {
                if (!chain[i].pass(view, direction)) {
                    return SendResult.SENT;
                }
            }
        } else {
            for (int i = at - 1; i >= 0; i--) {
                if (!chain[i].pass(view, direction)) {
                    return SendResult.SENT;
                }
            }
            sender = peer;
            receiver = this;
        }
        if (sender == null || receiver == null) {
            counters.drop(DropReason.NO_PEER);
            return SendResult.DROPPED;
        }
        if (receiver.client == null) {
            counters.drop(DropReason.PEER_PENDING);
            return SendResult.DROPPED;
        }
        return sender.deliverTo(receiver, view, null, len);
    }

    /** The end of a send from this client: the receiver takes the frame now or queues it. */
    private SendResult deliverTo(NetClientState receiver, ByteBuffer view, SentCallback onSent, int len) {
        if (receiver.linkDown) {
            receiver.counters.drop(DropReason.LINK_DOWN);
            return SendResult.DROPPED;
        }
        PacketQueue queue = receiver.incoming;
        if (queue.delivering || receiver.receiveDisabled || !receiver.canReceive()) {
            return receiver.enqueue(this, view, onSent);
        }
        if (!queue.isEmpty()) {
            // Older frames go first; this one only jumps in if they all got through.
            receiver.flushQueue();
            if (!queue.isEmpty() || receiver.receiveDisabled || !receiver.canReceive()) {
                return receiver.enqueue(this, view, onSent);
            }
        }
        Delivery d = receiver.deliver(view, onSent);
        switch (d) {
            case DELIVERED -> {
                sent(len);
                // A hub that queued a copy keeps the callback: the sender pauses as if this were queued.
                return receiver.hubPort != null && receiver.hubPort.tookCallback() ? SendResult.QUEUED : SendResult.SENT;
            }
            case RETRY_LATER -> {
                receiver.receiveDisabled = true;
                return receiver.enqueue(this, view, onSent);
            }
            default -> {
                return SendResult.DROPPED;
            }
        }
    }

    /** Counts a frame this client handed on, for it and for its loop. */
    private void sent(int len) {
        counters.tx(len);
        loop.frameSent();
    }

    /**
     * A read-only view of the frame, at its position and limit; the frame itself when it is one
     * already (a hub passing on what it was given, a queued copy).
     */
    private ByteBuffer readOnly(ByteBuffer frame) {
        if (frame.isReadOnly()) {
            return frame;
        }
        if (frame != sentFrom) {
            sentFrom = frame;
            sentView = frame.asReadOnlyBuffer();
        }
        return sentView.clear().limit(frame.limit()).position(frame.position());
    }

    private SendResult enqueue(NetClientState sender, ByteBuffer frame, SentCallback onSent) {
        publishBlocked(true);
        if (!incoming.append(sender, frame, onSent)) {
            counters.drop(DropReason.QUEUE_FULL);
            return SendResult.DROPPED;
        }
        return SendResult.QUEUED;
    }

    /** @return whether a frame sent to this client now would be delivered rather than queued */
    boolean acceptsFrames() {
        return !receiveDisabled && incoming.isEmpty() && canReceive();
    }

    private boolean canReceive() {
        try {
            return client.canReceive();
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, name + ": can-receive failed: " + e, e);
            return false;
        }
    }

    /**
     * @param onSent the sender's callback: a hubport may keep it (see {@link HubPort#tookCallback()})
     */
    private Delivery deliver(ByteBuffer frame, SentCallback onSent) {
        int position = frame.position();
        int limit = frame.limit();
        int len = limit - position;
        if (hubPort != null) {
            hubPort.offer(onSent);
        }
        incoming.delivering = true;
        try {
            Delivery d = client.receive(frame);
            if (d == Delivery.DELIVERED) {
                counters.rx(len);
            }
            return d == null ? Delivery.DROPPED : d;
        } catch (RuntimeException e) {
            counters.drop(DropReason.BACKEND_ERROR);
            if (!receiveFailureLogged) {
                receiveFailureLogged = true; // a backend failing on every frame must not flood the log
                log.log(System.Logger.Level.ERROR, name + ": receive failed (further failures are only counted as "
                        + DropReason.BACKEND_ERROR.label() + "): " + e, e);
                failures.failed(this, client, "the driver's receive() failed (see the log)");
            }
            return Delivery.DROPPED;
        } finally {
            incoming.delivering = false;
            frame.limit(limit).position(position);
        }
    }

    /**
     * The backend can take frames again: deliver what is queued, and, for a hubport's peer, let the
     * other ports of the hub retry what they queued towards the hub.
     */
    public void receiveReady() {
        receiveDisabled = false;
        flushQueue();
        if (peer != null && peer.hubPort != null) {
            publishBlocked(client != null && !acceptsFrames());
            peer.hubPort.hub().flushOthers(peer);
        }
    }

    /** Tells hub ports on other loops whether this client, a hubport's peer, takes frames now. */
    private void publishBlocked(boolean blocked) {
        if (peer != null && peer.hubPort != null) {
            peer.hubPort.peerBlocked(blocked);
        }
    }

    /** @return the task that retries this client's queue on its loop (one instance, no allocation) */
    Runnable flushTask() {
        return flushTask;
    }

    void scheduleFlush() {
        if (loop.inLoop()) {
            flushQueue();
        } else {
            loop.execute(flushTask);
        }
    }

    private void flushQueue() {
        while (client != null && !incoming.isEmpty() && !incoming.delivering) {
            PacketQueue.Entry head = incoming.peek();
            Delivery d;
            if (linkDown) {
                // As in QEMU, what waited for a client whose link went down since is dropped.
                counters.drop(DropReason.LINK_DOWN);
                d = Delivery.DROPPED;
            } else if (!canReceive()) {
                return;
            } else {
                d = deliver(head.frame(), head.onSent);
            }
            if (d == Delivery.RETRY_LATER) {
                receiveDisabled = true;
                return;
            }
            NetClientState sender = head.sender;
            SentCallback onSent = head.onSent;
            int len = head.frame().remaining();
            incoming.removeHead();
            if (d == Delivery.DELIVERED) {
                sender.sent(len); // the sender shares this loop: peers always do
            }
            if (onSent != null && !(d == Delivery.DELIVERED && hubPort != null && hubPort.tookCallback())) {
                sender.runSentCallback(onSent, len);
            }
        }
    }

    /**
     * Takes a callback off the frames queued for this client: they stay, as frames sent without one.
     *
     * @return how many frames had it
     */
    int forgetCallbacks(SentCallback onSent) {
        return incoming.forget(onSent);
    }

    void runSentCallback(SentCallback onSent, int len) {
        try {
            onSent.sent(len);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, name + ": sent callback failed: " + e, e);
        }
    }

    private boolean passFilters(ByteBuffer frame, NetFilterDirection direction) {
        NetFilterState[] chain = filters;
        if (chain.length == 0) {
            return true;
        }
        // Frames sent by the netdev meet its filters head to tail; frames to it, tail to head.
        if (direction == NetFilterDirection.TX) {
            for (NetFilterState f : chain) {
                if (!f.pass(frame, direction)) {
                    return false;
                }
            }
        } else {
            for (int i = chain.length - 1; i >= 0; i--) {
                if (!chain[i].pass(frame, direction)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Sets this client's link, QEMU's set_link rules: a NIC peer follows, any peer is told.
     *
     * @param up the new state
     */
    public void setLink(boolean up) {
        linkDown = !up;
        linkChanged.run();
        notifyLink(this, up);
        if (peer != null) {
            if (peer.kind == Kind.NIC) {
                peer.linkDown = !up;
            }
            notifyLink(peer, !peer.linkDown);
        }
    }

    /**
     * Drops every frame this client sends from now on, without telling anyone: the first step of
     * shutting down, so that nothing moves while the captures are closed.
     */
    public void stopSending() {
        linkDown = true;
    }

    /** Forces the link down, as when a NIC's netdev is deleted under it. */
    public void carrierLost() {
        linkDown = true;
        linkChanged.run();
        notifyLink(this, false);
    }

    private static void notifyLink(NetClientState c, boolean up) {
        if (c.client != null) {
            try {
                c.client.linkStatusChanged(up);
            } catch (RuntimeException e) {
                c.log.log(System.Logger.Level.ERROR, c.name + ": link change failed: " + e, e);
            }
        }
    }

    /** @return the backend's info string, or null when not open */
    public String info() {
        if (client == null) {
            return null;
        }
        try {
            return client.info();
        } catch (RuntimeException e) {
            return "(info failed: " + e + ")";
        }
    }

    /** @return true once after each {@link #armRxFilterEvent()}: whether to send the event now */
    boolean takeRxFilterEvent() {
        boolean armed = rxFilterEventArmed;
        rxFilterEventArmed = false;
        return armed;
    }

    /** A {@code query-rx-filter} saw this NIC: the next change is reported again. */
    public void armRxFilterEvent() {
        rxFilterEventArmed = true;
    }

    ClientLoop clientLoop() {
        return clientLoop;
    }

    /**
     * @param path a NIC's QOM path: {@code /machine/peripheral/ID}, or for a device without an id
     *             {@code /machine/peripheral-anon/device[N]}
     */
    public void devicePath(String path) {
        this.devicePath = path;
    }

    /** @return the NIC's QOM path, or null for a netdev */
    public String devicePath() {
        return devicePath;
    }

    /** @return whether this NIC was made without an id (QEMU's events then name it by path only) */
    public boolean anonymous() {
        return devicePath != null && devicePath.startsWith(ANONYMOUS_DEVICES);
    }

    /**
     * @param nanos now ({@link System#nanoTime()}), read once for every client of the loop
     * @return the traffic and drop counters now, for a rate; call on the loop
     */
    public ClientCounters.Sample sample(long nanos) {
        return counters.sample(nanos);
    }

    /** @return the counters and queue depth now; call on the loop */
    public net.control.dto.CountersDTO countersSnapshot() {
        ClientContext open = context;
        Map<String, Long> own = open != null ? open.countersSnapshot() : hubPort != null ? hubPort.counters() : Map.of();
        return counters.snapshot(incoming.size(), own);
    }

    @Override
    public String toString() {
        return kind.label() + " " + name;
    }
}
