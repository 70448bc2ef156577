package net.backend.vhostuser;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.SelectionKey;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.MappedRegion;
import net.posix.PosixException;

/**
 * One {@code vhost-user-backend} netdev: answers a vhost-user front end's requests on the chardev's
 * connection, maps the memory it shares, runs the rings it sets up through {@link NetDevice}, and
 * lets go of every mapping and descriptor when the connection ends (a front end that disappears
 * without a word included). Everything runs on the netdev's loop.
 */
final class VhostUserBackend implements NetClient, ChardevHandler {

    /** Virtio and vhost-user features offered; QEMU passes on to the guest what both sides have. */
    private static final long DEVICE_FEATURES = 1L << VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF
            | 1L << VhostUserFeatures.VIRTIO_F_VERSION_1
            | 1L << VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC
            | 1L << VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES;
    private static final long PROTOCOL_FEATURES = 1L << VhostUserFeatures.PROTOCOL_F_MQ
            | 1L << VhostUserFeatures.PROTOCOL_F_REPLY_ACK;

    private static final int MESSAGES_PER_WAKEUP = 64;
    /** What /proc/self/fd says an eventfd is. */
    private static final String EVENTFD = "anon_inode:[eventfd]";

    private final NetClientContext context;
    private final String chardev;
    private final GuestMemory memory = new GuestMemory();
    private final VhostUserMessage message = new VhostUserMessage();
    private final NetCounter protocolErrors;
    private final NetCounter connects;
    private final NetCounter unknownRequests;
    private final NetCounter refusedRequests;
    private final NetCounter badDescriptors;
    private ChardevPort port;
    private Vring[] vrings;
    private NetDevice device;
    private int queuePairs;
    private long features;
    private long protocolFeatures;
    /** The connection cannot pass descriptors (TCP): it is left alone. */
    private boolean idle;

    VhostUserBackend(NetClientContext context, String chardev) {
        this.context = context;
        this.chardev = chardev;
        protocolErrors = context.counter("protocol-error");
        connects = context.counter("connect");
        unknownRequests = context.counter("unknown-request");
        refusedRequests = context.counter("refused-request");
        badDescriptors = context.counter("bad-eventfd");
    }

    /** Starts serving on the attached chardev with {@code pairs} queue pairs. */
    void start(ChardevPort chardevPort, int pairs) {
        port = chardevPort;
        queuePairs = pairs;
        vrings = new Vring[2 * pairs];
        for (int i = 0; i < vrings.length; i++) {
            vrings[i] = new Vring(i, memory);
        }
        device = new NetDevice(context, vrings, this::memoryFault);
    }

    // ---- the chardev ----

    @Override
    public void opened() {
        message.discard();
        idle = !VhostUserChardev.passesDescriptors(port);
        port.readInterest(!idle);
        if (idle) {
            // QEMU refuses such a chardev when the netdev is made; a server chardev says what it is
            // only once a client came. Serving it could not work: no memory, no eventfds.
            context.logger().log(System.Logger.Level.WARNING, "vhost-user-backend netdev {0}: chardev \"{1}\" "
                    + "does not support FD passing", context.id(), chardev);
            return;
        }
        connects.increment();
    }

    @Override
    public void closed() {
        releaseAll();
        device.poke(); // frames the runtime held for the guest's buffers go now, as no-guest drops
    }

    @Override
    public void readable() {
        // a bounded number per wake-up, so that a front end that never stops talking cannot hold
        // the loop; the chardev calls again while bytes wait
        for (int budget = MESSAGES_PER_WAKEUP; budget > 0 && !idle && port.descriptor() >= 0; budget--) {
            try {
                if (!message.receive(port.descriptor())) {
                    return;
                }
                if (!handle()) {
                    throw new IOException("cannot serve " + message);
                }
            } catch (EOFException e) {
                port.disconnect(); // the front end went
                return;
            } catch (InternalError e) {
                memoryFault(e);
                return;
            } catch (IOException | RuntimeException e) {
                // whatever a front end sends ends at worst its own connection, never the loop
                context.ioFailed(protocolErrors, "vhost-user-backend: " + e.getMessage());
                port.disconnect();
                return;
            }
        }
    }

    @Override
    public void writable() {
        // replies are small and go whole, or the connection is dropped
    }

    // ---- the protocol ----

    /** @return false when the front end broke the protocol and the connection must go */
    private boolean handle() throws IOException {
        VhostUserRequest request = message.request();
        if (request == null) {
            return unknown();
        }
        if (message.size() < payloadSize(request)) {
            return false; // a payload shorter than its request's: the front end and this side disagree
        }
        switch (request) {
            case GET_FEATURES:
                return reply(offeredFeatures());
            case SET_FEATURES:
                features = message.u64() & offeredFeatures();
                device.features(features);
                if (!protocolFeaturesNegotiated()) {
                    for (Vring v : vrings) {
                        v.enabled = true; // without the protocol features a ring runs once started
                    }
                }
                return ack(true);
            case GET_PROTOCOL_FEATURES:
                return reply(PROTOCOL_FEATURES);
            case SET_PROTOCOL_FEATURES:
                protocolFeatures = message.u64() & PROTOCOL_FEATURES;
                return ack(true);
            case SET_OWNER:
                return ack(true);
            case RESET_OWNER:
                releaseRings();
                features = 0;
                return ack(true);
            case GET_QUEUE_NUM:
                return reply(queuePairs);
            case SET_MEM_TABLE:
                return ack(setMemTable());
            case SET_VRING_NUM:
                return ack(setVringNum());
            case SET_VRING_ADDR:
                return ack(setVringAddr());
            case SET_VRING_BASE:
                return ack(withVring(message.vringIndex(), v -> v.queue.base(message.vringNum())));
            case GET_VRING_BASE:
                return getVringBase();
            case SET_VRING_KICK:
                return ack(setVringKick());
            case SET_VRING_CALL:
            case SET_VRING_ERR:
                return ack(setVringFd(request));
            case SET_VRING_ENABLE:
                return ack(withVring(message.vringIndex(), v -> {
                    v.enabled = message.vringNum() != 0;
                    device.poke();
                }));
            case SEND_RARP:
            case NET_SET_MTU:
                return ack(true); // a guest's MTU or announcement changes nothing in a hub
            default:
                return unknown();
        }
    }

    /** A request this side does not serve: refused when the front end wants an answer, else ignored. */
    private boolean unknown() throws IOException {
        unknownRequests.increment();
        ack(false);
        return true;
    }

    private long offeredFeatures() {
        return DEVICE_FEATURES | (queuePairs > 1 ? 1L << VhostUserFeatures.VIRTIO_NET_F_MQ : 0);
    }

    /** @return the size of the payload a request this side serves carries, 0 for none */
    private static int payloadSize(VhostUserRequest request) {
        return switch (request) {
            case SET_FEATURES, SET_PROTOCOL_FEATURES, SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR ->
                    VhostUserMessage.U64_SIZE;
            case SET_VRING_NUM, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_ENABLE -> VhostUserMessage.VRING_STATE_SIZE;
            case SET_VRING_ADDR -> VhostUserMessage.VRING_ADDRESS_SIZE;
            case SET_MEM_TABLE -> 8;
            default -> 0;
        };
    }

    private boolean protocolFeaturesNegotiated() {
        return (features & 1L << VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES) != 0;
    }

    /**
     * Answers a request that has no reply of its own: with REPLY_ACK, 0 or 1 when asked to.
     *
     * @return false when it failed and the front end cannot be told: then the connection goes,
     *         as a front end that goes on would drive a device that is not what it thinks
     */
    private boolean ack(boolean ok) throws IOException {
        if (!ok) {
            refusedRequests.increment();
        }
        if (message.needsReply() && (protocolFeatures & 1L << VhostUserFeatures.PROTOCOL_F_REPLY_ACK) != 0) {
            return reply(ok ? 0 : 1);
        }
        return ok;
    }

    private boolean reply(long value) throws IOException {
        message.reply().u64(value).send(port.descriptor());
        return true;
    }

    private boolean setMemTable() {
        int regions = message.regionCount();
        if (regions < 0 || regions > GuestMemory.MAX_REGIONS || message.descriptorCount() != regions
                || message.size() != 8 + VhostUserMessage.MEMORY_REGION_SIZE * regions) {
            return false;
        }
        for (Vring v : vrings) {
            v.queue.unplace();
        }
        memory.clear();
        for (int i = 0; i < regions; i++) {
            int fd = message.takeDescriptor(i);
            try {
                MappedRegion mapping = MappedRegion.map(fd, message.regionMmapOffset(i), message.regionSize(i));
                memory.add(message.regionGuestAddress(i), message.regionUserAddress(i), mapping.segment(), mapping);
            } catch (PosixException e) {
                context.logger().log(System.Logger.Level.WARNING,
                        "vhost-user-backend: cannot map region " + i + ": " + e.getMessage());
                memory.clear();
                return false;
            } finally {
                Vring.closed(fd); // the mapping keeps the memory
            }
        }
        for (Vring v : vrings) {
            v.place();
        }
        device.poke();
        return true;
    }

    private boolean setVringNum() {
        int num = message.vringNum();
        if (!SplitRingLayout.isValidSize(num)) {
            return false;
        }
        return withVring(message.vringIndex(), v -> {
            // a new size needs the ring placed again (SET_VRING_ADDR follows, as on every start)
            v.stop();
            v.addressed = false;
            v.queue.unplace();
            v.size(num);
        });
    }

    private boolean setVringAddr() {
        return withVring(message.vringIndex(), v -> {
            v.descAddr = message.vringDescAddress();
            v.usedAddr = message.vringUsedAddress();
            v.availAddr = message.vringAvailAddress();
            v.addressed = true;
            if (!v.place()) {
                throw new IllegalArgumentException("ring outside the memory table");
            }
        });
    }

    /** Stops the ring (the guest resets, or the front end stops the device) and tells where it stopped. */
    private boolean getVringBase() throws IOException {
        int index = message.vringIndex();
        if (index < 0 || index >= vrings.length) {
            return false;
        }
        Vring v = vrings[index];
        v.stop();
        v.callFd = Vring.closed(v.callFd);
        message.reply().vringState(index, v.queue.base()).send(port.descriptor());
        return true;
    }

    private boolean setVringKick() {
        long payload = message.u64();
        int index = (int) (payload & VhostUserMessage.VRING_INDEX_MASK);
        if (index >= vrings.length) {
            return false;
        }
        Vring v = vrings[index];
        v.stop();
        if ((payload & VhostUserMessage.VRING_NOFD) != 0 || message.descriptorCount() != 1) {
            return false; // polling a ring without kicks would spin a loop; QEMU always sends one
        }
        v.kickFd = eventFd(message.takeDescriptor(0));
        if (v.kickFd < 0) {
            return false;
        }
        try {
            v.kick = context.loop().register(v.kickFd, SelectionKey.OP_READ, ops -> kicked(v));
        } catch (IOException e) {
            v.kickFd = Vring.closed(v.kickFd);
            return false;
        }
        v.started = true;
        if (!protocolFeaturesNegotiated()) {
            v.enabled = true;
        }
        device.poke();
        return true;
    }

    private void kicked(Vring v) {
        try {
            EventFd.drain(v.kickFd);
        } catch (PosixException e) {
            // a kick descriptor that cannot be read still said the ring has work
        }
        try {
            device.kicked(v);
        } catch (InternalError e) {
            memoryFault(e);
        } catch (RuntimeException e) {
            // the rings are checked as they are read; should anything slip through, it ends this
            // front end's connection, never the loop
            context.ioFailed(protocolErrors, "vhost-user-backend: ring " + v.index + ": " + e);
            port.disconnect();
        }
    }

    private boolean setVringFd(VhostUserRequest request) {
        long payload = message.u64();
        int index = (int) (payload & VhostUserMessage.VRING_INDEX_MASK);
        if (index >= vrings.length) {
            return false;
        }
        Vring v = vrings[index];
        int fd = -1;
        if ((payload & VhostUserMessage.VRING_NOFD) == 0) {
            fd = eventFd(message.takeDescriptor(0));
            if (fd < 0) {
                return false;
            }
        }
        if (request == VhostUserRequest.SET_VRING_CALL) {
            Vring.closed(v.callFd);
            v.callFd = fd;
        } else {
            Vring.closed(v.errFd);
            v.errFd = fd;
        }
        return true;
    }

    /**
     * Takes a kick, call or error descriptor only if it is an eventfd, and makes it non-blocking:
     * a pipe or socket in its place could block the loop on a signal, or stay readable for ever.
     *
     * @return the descriptor, or -1 (then closed) when it is none or no eventfd
     */
    private int eventFd(int fd) {
        if (fd < 0) {
            return -1;
        }
        try {
            if (EVENTFD.equals(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString())) {
                Libc.setNonBlocking(fd);
                return fd;
            }
        } catch (IOException e) {
            // unreadable: refused below
        }
        badDescriptors.increment();
        return Vring.closed(fd);
    }

    private boolean withVring(int index, java.util.function.Consumer<Vring> action) {
        if (index < 0 || index >= vrings.length) {
            return false;
        }
        try {
            action.accept(vrings[index]);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Guest memory faulted: the front end cut its memory file short after sharing it (SIGBUS on
     * the page, raised by the JVM as an {@link InternalError} on the access). Nothing of it is
     * touched again: the rings and mappings go at once, then the connection.
     */
    private void memoryFault(InternalError e) {
        context.ioFailed(protocolErrors, "vhost-user-backend: the front end's memory faulted: " + e.getMessage());
        releaseAll();
        port.disconnect();
    }

    // ---- tearing down ----

    private void releaseRings() {
        for (Vring v : vrings) {
            v.release();
        }
    }

    /** The connection ended: every ring, eventfd and mapping goes; the next front end starts afresh. */
    private void releaseAll() {
        releaseRings();
        memory.clear();
        message.discard();
        features = 0;
        protocolFeatures = 0;
    }

    // ---- the netdev ----

    @Override
    public Delivery receive(ByteBuffer frame) {
        try {
            return device.receive(frame);
        } catch (InternalError e) {
            memoryFault(e);
            return Delivery.DROPPED;
        }
    }

    @Override
    public boolean canReceive() {
        try {
            return device.canReceive();
        } catch (InternalError e) {
            memoryFault(e);
            return true; // the frame finds no guest now and is dropped as such
        }
    }

    @Override
    public String info() {
        return "vhost-user-backend0 to " + chardev;
    }

    @Override
    public void close() {
        releaseAll();
        if (port != null) {
            // The front end must learn its back end is gone (QEMU then sets its NIC's link down and,
            // with reconnect, comes again), and a netdev opened again on this chardev needs a fresh
            // session: end this one rather than leave it to a back end that knows nothing of it.
            if (port.isConnected()) {
                port.disconnect();
            }
            port.close();
        }
    }
}
