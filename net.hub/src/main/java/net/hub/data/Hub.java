package net.hub.data;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.api.SendResult;
import net.api.SentCallback;
import net.hub.loop.EventLoopGroup;
import net.hub.loop.Mailbox;

/**
 * A hub as QEMU's: a dumb repeater. A frame from one port goes out of every other port, newest
 * port first; the hub can receive while any other port can send. Ports may live on different event
 * loops; copies for those cross through bounded mailboxes and are dropped (counted) when full, and
 * such a port's ability to send is the state its own loop last published.
 *
 * <p>One departure from QEMU, for lossless fan-out: QEMU sends every copy without a sent callback,
 * so a copy for a port whose peer is behind is queued there, and dropped once 10 000 are. Here,
 * when the sender gave a callback, copies to ports on its loop carry one too, and a sender whose
 * copy was queued is told QUEUED and called back when every queued copy is out: a TCP sender stops
 * reading, so the slowest port sets the pace and no port loses a frame. A port whose peer takes
 * nothing for {@link HubPort#STALL_NANOS} is given up on (logged, counted as
 * {@value HubPort#STALLS}): the sender goes on, and copies for that port follow QEMU's rule until
 * its peer takes frames again.
 */
public final class Hub {

    private final int id;
    private final EventLoopGroup loops;
    private volatile HubPort[] ports = new HubPort[0]; // newest first; copy-on-write

    /**
     * @param id    the hub id
     * @param loops the runtime's loops, for cross-loop hand-over
     */
    public Hub(int id, EventLoopGroup loops) {
        this.id = id;
        this.loops = loops;
    }

    /** @return the hub id */
    public int id() {
        return id;
    }

    /** @return the ports, newest first */
    public List<HubPort> ports() {
        return List.of(ports);
    }

    /**
     * Creates a port on this hub (newest first, as QEMU inserts at the head).
     *
     * @param state the port's client
     * @return the port, already the client of {@code state}'s future open
     */
    public synchronized HubPort addPort(NetClientState state) {
        HubPort port = new HubPort(this, state);
        state.hubPort(port);
        List<HubPort> list = new ArrayList<>(ports.length + 1);
        list.add(port);
        list.addAll(List.of(ports));
        ports = list.toArray(new HubPort[0]);
        return port;
    }

    synchronized void removePort(HubPort port) {
        List<HubPort> list = new ArrayList<>(List.of(ports));
        list.remove(port);
        ports = list.toArray(new HubPort[0]);
    }

    /**
     * @param source the port the frame came in by
     * @param frame  the frame
     * @param onSent the sender's callback, or null
     * @param hold   whether copies may hold the sender: it holds none now
     * @return whether a copy was queued with the source's {@link HubPort#copySent}
     */
    boolean forward(HubPort source, ByteBuffer frame, SentCallback onSent, boolean hold) {
        NetClientState from = source.state();
        boolean gate = onSent != null && hold;
        boolean queued = false;
        for (HubPort port : ports) {
            if (port == source) {
                continue;
            }
            NetClientState to = port.state();
            if (to.loop() == from.loop()) {
                SentCallback copySent = gate && port.waitedFor() ? source.copySent : null;
                if (to.sendToPeer(frame, copySent) == SendResult.QUEUED && copySent != null) {
                    source.copyQueued();
                    queued = true;
                }
            } else {
                Mailbox mailbox = loops.mailbox(from.loop(), to.loop());
                if (!mailbox.offer(port.fromOtherLoop, frame)) {
                    to.counters().drop(DropReason.LOOP_QUEUE_FULL);
                }
            }
        }
        return queued;
    }

    /**
     * A held sender waited too long: the ports on its loop whose peers still hold its copy are given up on.
     *
     * @return how many of the source's queued copies no longer hold it
     */
    int stopWaiting(HubPort source) {
        int forgotten = 0;
        for (HubPort port : ports) {
            if (port != source && port.state().loop() == source.state().loop() && !port.canSend()) {
                forgotten += port.stopWaitingFor(source);
            }
        }
        return forgotten;
    }

    /**
     * @param source a port of this hub
     * @return the other port when the hub has exactly two, else null
     */
    HubPort otherOfTwo(HubPort source) {
        HubPort[] now = ports;
        if (now.length != 2) {
            return null;
        }
        return now[0] == source ? now[1] : now[1] == source ? now[0] : null;
    }

    boolean canReceiveFrom(HubPort source) {
        NetClientState from = source.state();
        for (HubPort port : ports) {
            if (port == source) {
                continue;
            }
            if (port.state().loop() == from.loop() ? port.canSend() : canSendAcross(port, from)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A port on another loop can send when its peer took frames last time its loop looked and the
     * mailbox towards it has room; when the mailbox is full the sender is told once it drains, so a
     * TCP sender pauses instead of losing frames.
     */
    private boolean canSendAcross(HubPort port, NetClientState from) {
        if (!port.canSendFromOtherLoop()) {
            return false;
        }
        Mailbox mailbox = loops.mailbox(from.loop(), port.state().loop());
        if (mailbox.hasRoom()) {
            return true;
        }
        mailbox.awaitRoom(from.flushTask());
        return mailbox.hasRoom();
    }

    /**
     * Retries what the other ports queued towards the hub: when {@code source} joined, or became
     * able to send (its peer takes frames again, or it lost its peer). QEMU retries only in the
     * second case, so a frame queued while a hub had no other port waits there for good; here it
     * flows as soon as a port that can take it is added.
     *
     * @param source the port that changed; its own queue is left alone
     */
    public void flushOthers(NetClientState source) {
        for (HubPort port : ports) {
            if (port.state() != source) {
                port.state().scheduleFlush();
            }
        }
    }
}
