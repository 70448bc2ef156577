package net.backend.vhostuser;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.SendResult;
import net.api.SentCallback;
import net.posix.EventFd;
import net.posix.PosixException;

/**
 * The virtio-net device's frame paths over the rings a front end set up: frames the guest
 * transmits (queues 1, 3, ...) go to the peer without their virtio-net header, frames from the
 * peer go into the guest's receive buffers (queues 0, 2, ...) behind one. Works in batches: each
 * kick takes what is available (up to {@link #BATCH} chains, then yields to the loop), and the
 * driver is signalled once per batch. Two staging buffers are the only frame memory; nothing is
 * allocated per frame. Runs on the netdev's loop.
 */
final class NetDevice {

    /** Chains taken per wake-up before the loop gets to run other work. */
    static final int BATCH = 256;
    private static final Refusal[] REFUSALS = Refusal.values();

    private final NetClientContext context;
    private final Vring[] vrings;
    private final ByteBuffer txStage = ByteBuffer.allocateDirect(NetClient.MAX_FRAME);
    private final MemorySegment txSegment = MemorySegment.ofBuffer(txStage);
    private final ByteBuffer rxStage = ByteBuffer.allocateDirect(VirtioNetHeader.SIZE + NetClient.MAX_FRAME);
    private final MemorySegment rxSegment = MemorySegment.ofBuffer(rxStage);
    private final NetCounter[] refused = new NetCounter[REFUSALS.length];
    private final NetCounter noGuest;
    private final NetCounter tooSmall;
    private final NetCounter callFailed;
    /** The front end's memory faulted under a task the loop runs on its own (see {@link #guarded}). */
    private final Consumer<InternalError> memoryFault;
    private final Runnable resumeGuarded = guarded(this::resume);
    private final SentCallback resumeTransmit = length -> resumeGuarded.run();
    private final Runnable transmitMore = guarded(this::transmitAll);
    private final Runnable signalDue = guarded(this::signalDue);
    private boolean signalScheduled;
    private boolean transmitScheduled;
    /** The peer queued a frame: the guest's transmit rings wait for it to leave. */
    private boolean transmitPaused;
    /** A frame found no receive buffer: the runtime holds frames until the guest posts some. */
    private boolean receiveWaiting;
    private int headerSize = VirtioNetHeader.SIZE;
    private boolean mergeable;

    /**
     * @param memoryFault told when guest memory faults under a task of this device's own (the
     *                    callers of the other methods catch it themselves)
     */
    NetDevice(NetClientContext context, Vring[] vrings, Consumer<InternalError> memoryFault) {
        this.context = context;
        this.vrings = vrings;
        this.memoryFault = memoryFault;
        for (Refusal r : REFUSALS) {
            refused[r.ordinal()] = context.dropCounter(r.counter());
        }
        noGuest = context.dropCounter("no-guest");
        tooSmall = context.dropCounter("rx-buffer-too-small");
        callFailed = context.counter("call-error");
    }

    /** Applies the negotiated features: the header's size and whether frames may span chains. */
    void features(long features) {
        headerSize = VirtioNetHeader.size(features);
        mergeable = VhostUserFeatures.has(features, VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF);
        boolean indirect = VhostUserFeatures.has(features, VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC);
        for (Vring v : vrings) {
            v.queue.indirect(indirect);
        }
    }

    /** The guest kicked this ring: transmit what it queued, or take frames again now it posted buffers. */
    void kicked(Vring v) {
        if (v.receives()) {
            if (receiveWaiting) {
                receiveWaiting = false;
                context.receiveReady();
            }
        } else {
            transmit(v);
            signalDue();
        }
    }

    /** The link came up, a ring started: move what waits. */
    void poke() {
        if (receiveWaiting) {
            receiveWaiting = false;
            context.receiveReady();
        }
        transmitAll();
    }

    private void resume() {
        transmitPaused = false;
        transmitAll();
    }

    private void transmitAll() {
        transmitScheduled = false;
        for (Vring v : vrings) {
            if (!v.receives()) {
                transmit(v);
            }
        }
        signalDue();
    }

    private void transmit(Vring v) {
        if (transmitPaused || !v.running()) {
            return;
        }
        DeviceQueue q = v.queue;
        DescriptorChain chain = v.chain;
        for (int budget = BATCH; budget > 0; budget--) {
            int r = q.pop(chain);
            if (r == DeviceQueue.EMPTY) {
                break;
            }
            v.callDue = true;
            if (r != DeviceQueue.OK) {
                refuse(q, chain, r);
                continue;
            }
            long bytes = chain.readable() - headerSize;
            if (bytes < 0 || bytes > NetClient.MAX_FRAME) {
                refused[Refusal.BAD_LENGTH.ordinal()].increment();
                q.push(chain.head(), 0);
                continue;
            }
            int length = chain.gather(headerSize, txSegment, 0);
            q.push(chain.head(), 0);
            if (!context.isLinkUp()) {
                continue; // QEMU's virtio-net discards what a guest sends while its link is down
            }
            txStage.clear().limit(length);
            if (context.send(txStage, resumeTransmit) == SendResult.QUEUED) {
                transmitPaused = true;
                break;
            }
        }
        if (!transmitPaused && q.pending() > 0 && !transmitScheduled) {
            transmitScheduled = true;
            context.loop().execute(transmitMore);
        }
    }

    /**
     * @return whether a frame now would find a receive buffer, or be dropped for want of a guest;
     *         when not, the guest's next receive kick tells the runtime to deliver again
     */
    boolean canReceive() {
        Vring v = receiveRing();
        if (v == null || v.queue.pending() > 0) {
            return true;
        }
        receiveWaiting = true;
        return false;
    }

    /** Puts a frame from the peer into the guest's receive buffers. */
    Delivery receive(ByteBuffer frame) {
        Vring v = receiveRing();
        if (v == null) {
            noGuest.increment();
            return Delivery.DROPPED;
        }
        int length = frame.remaining();
        int total = headerSize + length;
        rxStage.put(headerSize, frame, frame.position(), length);
        DeviceQueue q = v.queue;
        int r = q.pop(v.chain);
        if (r == DeviceQueue.EMPTY) {
            return waitForBuffers();
        }
        if (r != DeviceQueue.OK || v.chain.writable() == 0) {
            return refuseReceive(v, v.chain, 0, r);
        }
        int first = (int) Math.min(v.chain.writable(), total);
        if (first < total && !mergeable) {
            q.unpop(1);
            tooSmall.increment();
            return Delivery.DROPPED;
        }
        int chains = 1;
        int done = first;
        v.heads[0] = v.chain.head();
        v.lengths[0] = first;
        while (done < total) {
            if (chains == v.heads.length) {
                // More buffers than the ring holds: never there at once, so either the driver adds
                // some while the frame is written (a buffer on its own available ring) or the frame
                // can never fit. The chains go back unused; the last one taken is the bad one.
                return refuseReceive(v, chains == 1 ? v.chain : v.more, chains - 1, Refusal.BAD_CHAIN.ordinal() + 1);
            }
            r = q.pop(v.more);
            if (r == DeviceQueue.EMPTY) {
                q.unpop(chains);
                return waitForBuffers();
            }
            if (r != DeviceQueue.OK || v.more.writable() == 0) {
                return refuseReceive(v, v.more, chains, r);
            }
            int n = v.more.scatter(0, rxSegment, done, total - done);
            v.heads[chains] = v.more.head();
            v.lengths[chains] = n;
            chains++;
            done += n;
        }
        VirtioNetHeader.write(rxSegment, 0, headerSize, chains);
        v.chain.scatter(0, rxSegment, 0, first);
        for (int i = 0; i < chains; i++) {
            q.push(v.heads[i], v.lengths[i]);
        }
        v.callDue = true;
        if (!signalScheduled) {
            signalScheduled = true;
            context.loop().execute(signalDue);
        }
        return Delivery.DELIVERED;
    }

    private Delivery waitForBuffers() {
        receiveWaiting = true;
        return Delivery.RETRY_LATER;
    }

    /** A chain the frame was going into is bad: it and those taken before it go back empty, the frame is lost. */
    private Delivery refuseReceive(Vring v, DescriptorChain bad, int taken, int r) {
        for (int i = 0; i < taken; i++) {
            v.queue.push(v.heads[i], 0);
        }
        refuse(v.queue, bad, r == DeviceQueue.OK ? Refusal.BAD_LENGTH.ordinal() + 1 : r);
        v.callDue = true;
        signalDue();
        return Delivery.DROPPED;
    }

    private void refuse(DeviceQueue q, DescriptorChain chain, int r) {
        Refusal why = REFUSALS[r - 1];
        refused[why.ordinal()].increment();
        if (why != Refusal.BAD_RING) {
            q.push(chain.head(), 0);
        }
    }

    /**
     * A task the loop or the runtime runs for this device, with nobody to catch what it throws: an
     * access to guest memory whose file the front end cut short faults (SIGBUS, which the JVM
     * raises as an {@link InternalError}); that must end the front end's connection, not the loop.
     */
    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (InternalError e) {
                memoryFault.accept(e);
            }
        };
    }

    /** Publishes what each ring gave back and signals the drivers that want it. */
    private void signalDue() {
        signalScheduled = false;
        for (Vring v : vrings) {
            if (v.callDue) {
                v.callDue = false;
                if (v.queue.publish() && v.callFd >= 0) {
                    try {
                        EventFd.signal(v.callFd);
                    } catch (PosixException e) {
                        context.ioFailed(callFailed, "vhost-user-backend: call failed: " + e.getMessage());
                    }
                }
            }
        }
    }

    /** @return the first receive ring that runs, or null when the guest has none */
    private Vring receiveRing() {
        for (Vring v : vrings) {
            if (v.receives() && v.running()) {
                return v;
            }
        }
        return null;
    }
}
