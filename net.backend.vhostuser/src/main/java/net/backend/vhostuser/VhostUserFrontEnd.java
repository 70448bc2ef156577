package net.backend.vhostuser;

import static net.backend.vhostuser.VhostUserFeatures.PROTOCOL_F_MQ;
import static net.backend.vhostuser.VhostUserFeatures.PROTOCOL_F_REPLY_ACK;
import static net.backend.vhostuser.VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES;
import static net.backend.vhostuser.VhostUserFeatures.VIRTIO_F_VERSION_1;
import static net.backend.vhostuser.VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF;
import static net.backend.vhostuser.VhostUserFeatures.bit;
import static net.backend.vhostuser.VhostUserFeatures.has;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetException;
import net.api.SendResult;
import net.api.SentCallback;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * A {@code vhost-user} netdev: Patchbay in the part QEMU plays for a guest's virtio-net NIC. It
 * owns the rings and buffers ({@link SharedRings}), tells the back end where they are over the
 * chardev's socket, and then moves frames through them: frames from the peer go into the transmit
 * queue, frames the back end puts into the receive queues go to the peer.
 *
 * <p>Each connection goes through the handshake QEMU makes: features, protocol features (REPLY_ACK,
 * MQ), owner, memory table, each ring's size, base, addresses, kick and call, and enabling. As in
 * QEMU, the netdev's link is down until it completes and while no back end is connected (frames
 * are dropped as {@code link-down}), and up once the back end is ready. When the connection ends
 * (the back end restarted), the rings are taken back and the next connection (a server chardev's
 * next client, a client chardev's {@code reconnect}) starts from the beginning.
 *
 * <p>A full transmit ring is back-pressure: the frame is left with the runtime
 * ({@link Delivery#RETRY_LATER}) and delivery resumes when the back end returns chains. A peer
 * that cannot take a received frame pauses the receive rings until it can. Work is batched per
 * loop iteration: one publication and at most one kick per queue. Everything runs on the loop.
 */
final class VhostUserFrontEnd implements NetClient, ChardevHandler {

    /** Drop reason for frames that reach the netdev while no back end is ready (its link set up by hand). */
    static final String DISCONNECTED = "disconnected";
    /** Drop reason for a frame larger than a whole transmit ring, or a received one beyond {@link #MAX_FRAME}. */
    static final String TOO_LONG = "too-long";
    /** Counter: used entries or received frames refused (bad ids, lengths, num_buffers). */
    static final String REFUSED = "refused";
    /** Counter: connections that completed the handshake. */
    static final String CONNECTS = "connect";

    /** How long a connected back end may take to answer the whole handshake (QEMU waits without a bound). */
    static final long HANDSHAKE_MILLIS = 5000;
    /** Counter: connections dropped because the back end did not finish the handshake in time. */
    static final String HANDSHAKE_TIMEOUTS = "handshake-timeout";

    /** QEMU's virtio-net default ring size. */
    static final int QUEUE_SIZE = 256;
    /** Each descriptor's buffer: a whole standard frame with its header. */
    static final int BUFFER_SIZE = 2048;
    /** The device features this front end can use. */
    static final long WANTED = bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_NET_F_MRG_RXBUF)
            | bit(VHOST_USER_F_PROTOCOL_FEATURES);

    private enum Phase { IDLE, FEATURES, PROTOCOL_FEATURES, QUEUE_NUM, MEM_TABLE_ACK, RUNNING }

    private final NetClientContext context;
    private final String chardev;
    private final NetCounter disconnected;
    private final NetCounter tooLong;
    private final NetCounter refusedFrames;
    private final NetCounter connects;
    private final NetCounter handshakeTimeouts;
    private final SentCallback resumeReceive = length -> resumeReceive();
    private final Runnable flush = this::flush;
    private VhostUserMessage message;
    private ChardevPort port;
    private SharedRings rings;
    private int pairs;
    private IoRegistration[] callWatches;
    private Phase phase = Phase.IDLE;
    private long features;
    private long protocolFeatures;
    private int headerSize = VirtioNetHeader.SIZE;
    private boolean mergeable;
    /** Per receive queue: the frame being gathered from its buffers. */
    private ByteBuffer[] incoming;
    /** Receive buffers still to come for the frame being gathered, per receive queue. */
    private int[] gathering;
    /** Per receive queue: the frame being gathered is longer than a frame can be; it is dropped. */
    private boolean[] overlong;
    private boolean receivePaused;
    private boolean transmitBlocked;
    private boolean flushQueued;
    /** Per queue: chains added since the last publication. */
    private boolean[] dirty;
    /** Per queue: its refused used entries already counted. */
    private long[] refusedSeen;
    private boolean closed;
    private NetEventLoop.Cancellable handshakeTimer;

    VhostUserFrontEnd(NetClientContext context, String chardev) {
        this.context = context;
        this.chardev = chardev;
        this.disconnected = context.dropCounter(DISCONNECTED);
        this.tooLong = context.dropCounter(TOO_LONG);
        this.refusedFrames = context.counter(REFUSED);
        this.connects = context.counter(CONNECTS);
        this.handshakeTimeouts = context.counter(HANDSHAKE_TIMEOUTS);
    }

    /**
     * Makes the shared memory and watches the call eventfds; the handshake starts when the chardev
     * connects.
     *
     * @throws NetException when memory or eventfds cannot be had
     */
    void start(ChardevPort port, int pairs) throws NetException {
        this.port = port;
        this.pairs = pairs;
        context.setLinkUp(false); // no back end yet
        try {
            rings = SharedRings.create("patchbay-vhost-user-" + context.id(), pairs, QUEUE_SIZE, BUFFER_SIZE);
            message = new VhostUserMessage();
            callWatches = new IoRegistration[rings.count()];
            gathering = new int[rings.count()];
            overlong = new boolean[rings.count()];
            incoming = new ByteBuffer[rings.count()];
            for (int q = 0; q < rings.count(); q += 2) {
                incoming[q] = ByteBuffer.allocateDirect(MAX_FRAME);
            }
            dirty = new boolean[rings.count()];
            refusedSeen = new long[rings.count()];
            for (int q = 0; q < rings.count(); q++) {
                int queue = q;
                callWatches[q] = context.loop().register(rings.call(q), SelectionKey.OP_READ, ops -> called(queue));
            }
        } catch (IOException e) {
            close();
            throw NetException.generic("vhost-user: %s", e.getMessage());
        }
    }

    @Override
    public String info() {
        return "vhost-user0 to " + chardev;
    }

    // -- the peer's frames into the transmit ring ----------------------------------------------------

    @Override
    public Delivery receive(ByteBuffer frame) {
        if (phase != Phase.RUNNING) {
            disconnected.increment();
            return Delivery.DROPPED;
        }
        DriverQueue tx = rings.queue(1);
        reapTransmitted(tx);
        if (tx.offer(frame, headerSize)) {
            queued(1);
            return Delivery.DELIVERED;
        }
        if ((long) (frame.remaining() + headerSize) > (long) tx.size() * tx.bufferSize()) {
            tooLong.increment();
            return Delivery.DROPPED;
        }
        // Full: let the back end see what is there, and have it call when it returns chains.
        flush();
        transmitBlocked = true;
        tx.interrupts(true);
        if (reapTransmitted(tx) && tx.offer(frame, headerSize)) { // returned meanwhile: no call will come
            transmitBlocked = false;
            tx.interrupts(false);
            queued(1);
            return Delivery.DELIVERED;
        }
        return Delivery.RETRY_LATER;
    }

    /** @return whether chains came back */
    private boolean reapTransmitted(DriverQueue tx) {
        boolean any = false;
        for (int head = tx.takeUsed(); head >= 0; head = tx.takeUsed()) {
            tx.release(head);
            any = true;
        }
        return any;
    }

    // -- the back end's frames out of the receive rings --------------------------------------------

    /** A call eventfd fired: queue {@code q} has used chains. */
    private void called(int q) {
        try {
            EventFd.drain(rings.call(q));
        } catch (PosixException e) {
            return; // cannot happen to our own eventfd; the next call tells
        }
        if (phase != Phase.RUNNING) {
            return;
        }
        if ((q & 1) == 0) {
            receiveFrames(q);
            return;
        }
        boolean returned = reapTransmitted(rings.queue(q));
        countRefused(q);
        if (transmitBlocked && returned) {
            transmitBlocked = false;
            rings.queue(q).interrupts(false);
            context.receiveReady();
        }
    }

    private void receiveFrames(int q) {
        DriverQueue rx = rings.queue(q);
        ByteBuffer frame = incoming[q];
        while (!receivePaused) {
            int head = rx.takeUsed();
            if (head < 0) {
                break;
            }
            int length = rx.lengthOf(head);
            int from = 0;
            if (gathering[q] == 0) {
                int buffers = mergeable ? rx.firstBufferShort(head, VirtioNetHeader.NUM_BUFFERS_OFFSET) : 1;
                if (length < headerSize || buffers < 1 || buffers > rx.size()) {
                    refusedFrames.increment();
                    rx.release(head);
                    continue;
                }
                frame.clear();
                gathering[q] = buffers;
                overlong[q] = false;
                from = headerSize;
            }
            if (length - from > frame.remaining()) {
                overlong[q] = true; // beyond MAX_FRAME: gather the rest of its buffers, then drop it
            } else {
                frame.limit(frame.position() + length - from);
                rx.copyOut(head, from, frame);
                frame.limit(frame.capacity());
            }
            rx.release(head);
            queued(q);
            if (--gathering[q] == 0) {
                frame.flip();
                if (overlong[q]) {
                    tooLong.increment();
                } else if (context.send(frame, resumeReceive) == SendResult.QUEUED) {
                    receivePaused = true;
                }
            }
        }
        if (rx.free() > 0) {
            rx.postReceiveBuffers();
            queued(q);
        }
        countRefused(q);
    }

    /** Brings the queue's refused used entries into the netdev's counter. */
    private void countRefused(int q) {
        long now = rings.queue(q).refused();
        if (now != refusedSeen[q]) {
            refusedFrames.add(now - refusedSeen[q]);
            refusedSeen[q] = now;
        }
    }

    private void resumeReceive() {
        receivePaused = false;
        if (phase == Phase.RUNNING) {
            for (int q = 0; q < rings.count(); q += 2) {
                receiveFrames(q);
            }
        }
    }

    // -- batching -----------------------------------------------------------------------------------

    private void queued(int q) {
        dirty[q] = true;
        if (!flushQueued) {
            flushQueued = true;
            context.loop().executeAfterIo(flush);
        }
    }

    /** Publishes what was added to each queue and kicks the back end where it wants a kick. */
    private void flush() {
        flushQueued = false;
        if (phase != Phase.RUNNING) {
            return;
        }
        for (int q = 0; q < dirty.length; q++) {
            if (dirty[q]) {
                dirty[q] = false;
                DriverQueue queue = rings.queue(q);
                queue.publish();
                if (queue.wantsKick()) {
                    try {
                        EventFd.signal(rings.kick(q));
                    } catch (PosixException e) {
                        // our own eventfd: cannot fail
                    }
                }
            }
        }
    }

    // -- the connection -----------------------------------------------------------------------------

    @Override
    public void opened() {
        if (closed) {
            return;
        }
        if (!VhostUserChardev.passesDescriptors(port)) {
            // QEMU refuses such a chardev when the netdev is made; Patchbay's chardevs do not say
            // what they are before they connect. Stay idle on it rather than reconnect in a loop.
            context.logger().log(System.Logger.Level.WARNING, "vhost-user netdev {0}: chardev \"{1}\" does not support FD passing",
                    context.id(), chardev);
            return;
        }
        rings.reset();
        message.discard();
        phase = Phase.FEATURES;
        // A peer that never answers (no vhost-user back end at all) must not hold the netdev: drop
        // the connection, so a client chardev's reconnect tries again.
        cancelHandshakeTimer();
        handshakeTimer = context.loop().schedule(this::handshakeTimedOut, HANDSHAKE_MILLIS, TimeUnit.MILLISECONDS);
        try {
            send(message.request(VhostUserRequest.GET_FEATURES));
        } catch (IOException e) {
            fail(e.getMessage());
        }
    }

    @Override
    public void closed() {
        if (closed) {
            return;
        }
        boolean wasRunning = phase == Phase.RUNNING;
        phase = Phase.IDLE;
        message.discard();
        receivePaused = false;
        context.setLinkUp(false);
        if (transmitBlocked) {
            transmitBlocked = false;
            context.receiveReady(); // what the runtime holds for the ring is dropped as link-down
        }
        if (wasRunning) {
            context.logger().log(System.Logger.Level.WARNING, "vhost-user netdev {0}: the back end on {1} is gone",
                    context.id(), chardev);
        }
    }

    @Override
    public void readable() {
        if (closed) {
            return;
        }
        try {
            while (message.receive(port.descriptor())) {
                if (phase == Phase.IDLE || phase == Phase.RUNNING || !message.isReply()) {
                    // Replies come only to requests that want one; a back end's own requests
                    // would come on a channel of their own, which is not offered.
                    fail("unexpected message " + message);
                    return;
                }
                reply();
                if (phase == Phase.IDLE) {
                    return;
                }
            }
        } catch (IOException e) {
            fail(e.getMessage());
        }
    }

    @Override
    public void writable() {
        // Control messages are small and sent whole or not at all.
    }

    private void reply() throws IOException {
        switch (phase) {
            case FEATURES -> {
                long offered = message.u64();
                features = offered & WANTED;
                mergeable = has(features, VIRTIO_NET_F_MRG_RXBUF);
                headerSize = VirtioNetHeader.size(features);
                if (has(offered, VHOST_USER_F_PROTOCOL_FEATURES)) {
                    phase = Phase.PROTOCOL_FEATURES;
                    send(message.request(VhostUserRequest.GET_PROTOCOL_FEATURES));
                } else if (pairs > 1) {
                    fail("the back end does not support multiple queues");
                } else {
                    setUp();
                }
            }
            case PROTOCOL_FEATURES -> {
                long offered = message.u64();
                protocolFeatures = offered & (bit(PROTOCOL_F_REPLY_ACK) | (pairs > 1 ? bit(PROTOCOL_F_MQ) : 0));
                if (pairs > 1 && !has(protocolFeatures, PROTOCOL_F_MQ)) {
                    fail("the back end does not support multiple queues");
                    return;
                }
                send(message.request(VhostUserRequest.SET_PROTOCOL_FEATURES).u64(protocolFeatures));
                if (pairs > 1) {
                    phase = Phase.QUEUE_NUM;
                    send(message.request(VhostUserRequest.GET_QUEUE_NUM));
                } else {
                    setUp();
                }
            }
            case QUEUE_NUM -> {
                long max = message.u64();
                if (max < pairs) {
                    fail("you are asking more queues than supported: " + max);
                    return;
                }
                setUp();
            }
            case MEM_TABLE_ACK -> {
                if (message.u64() != 0) {
                    fail("the back end could not map the memory table");
                    return;
                }
                setUpRings();
            }
            default -> fail("unexpected reply " + message);
        }
    }

    /** Owner, features and memory; then the rings, at once or after the memory's acknowledgement. */
    private void setUp() throws IOException {
        send(message.request(VhostUserRequest.SET_OWNER));
        send(message.request(VhostUserRequest.SET_FEATURES).u64(features));
        message.request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1)
                .memoryRegion(0, rings.address(), rings.size(), rings.address(), 0).attach(rings.memfd());
        if (has(protocolFeatures, PROTOCOL_F_REPLY_ACK)) {
            // Its mapping is what a back end most likely refuses: know it before going on.
            send(message.needReply());
            phase = Phase.MEM_TABLE_ACK;
        } else {
            send(message);
            setUpRings();
        }
    }

    private void setUpRings() throws IOException {
        for (int q = 0; q < rings.count(); q++) {
            DriverQueue queue = rings.queue(q);
            send(message.request(VhostUserRequest.SET_VRING_NUM).vringState(q, queue.size()));
            send(message.request(VhostUserRequest.SET_VRING_BASE).vringState(q, 0));
            send(message.request(VhostUserRequest.SET_VRING_ADDR).vringAddress(q, 0, queue.descAddress(),
                    queue.usedAddress(), queue.availAddress(), 0));
            send(message.request(VhostUserRequest.SET_VRING_KICK).u64(q).attach(rings.kick(q)));
            send(message.request(VhostUserRequest.SET_VRING_CALL).u64(q).attach(rings.call(q)));
        }
        if (has(features, VHOST_USER_F_PROTOCOL_FEATURES)) {
            // With protocol features, rings start disabled.
            for (int q = 0; q < rings.count(); q++) {
                send(message.request(VhostUserRequest.SET_VRING_ENABLE).vringState(q, 1));
            }
        }
        phase = Phase.RUNNING;
        cancelHandshakeTimer();
        context.setLinkUp(true);
        connects.increment();
        for (int q = 0; q < rings.count(); q++) {
            rings.queue(q).interrupts((q & 1) == 0); // transmit queues call only while blocked
            if ((q & 1) == 0) {
                rings.queue(q).postReceiveBuffers();
                queued(q);
            }
        }
        context.logger().log(System.Logger.Level.INFO,
                "vhost-user netdev {0}: the back end on {1} is ready (features 0x{2}, protocol features 0x{3})",
                context.id(), chardev, Long.toHexString(features), Long.toHexString(protocolFeatures));
        context.receiveReady();
    }

    private void send(VhostUserMessage built) throws IOException {
        built.send(port.descriptor());
    }

    private void handshakeTimedOut() {
        handshakeTimer = null;
        if (phase != Phase.IDLE && phase != Phase.RUNNING) {
            handshakeTimeouts.increment();
            fail("no answer to the handshake within " + HANDSHAKE_MILLIS + " ms");
        }
    }

    private void cancelHandshakeTimer() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
            handshakeTimer = null;
        }
    }

    /** The connection is unusable: drop it (a client chardev with {@code reconnect} tries again). */
    private void fail(String why) {
        if (phase == Phase.IDLE) {
            return;
        }
        context.logger().log(System.Logger.Level.WARNING, "vhost-user netdev {0}: {1}; disconnecting from {2}",
                context.id(), why, chardev);
        phase = Phase.IDLE;
        port.disconnect();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        phase = Phase.IDLE;
        cancelHandshakeTimer();
        if (callWatches != null) {
            for (IoRegistration watch : callWatches) {
                if (watch != null) {
                    watch.cancel();
                }
            }
        }
        if (port != null) {
            // The back end must stop using rings that are about to be unmapped here, and a
            // netdev opened again on this chardev needs a fresh session: end this one.
            if (port.isConnected()) {
                port.disconnect();
            }
            port.close();
        }
        if (rings != null) {
            rings.close();
        }
        if (message != null) {
            message.discard();
        }
    }
}
