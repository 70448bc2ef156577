package net.backend.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import net.api.Delivery;
import net.driverkit.FramePump;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetException;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * An open tap: one or more queues (descriptors) of one interface, all feeding this client. Each
 * {@code read} returns one frame and each {@code write} takes one; frames from the peer go out on
 * the first queue. With IFF_VNET_HDR every frame on the descriptor carries a 10-byte virtio-net
 * header, which no Patchbay peer uses: it is skipped on read and written as zeros ("no offload")
 * on write, as QEMU does for a NIC without vnet headers.
 */
final class TapBackend implements NetClient {

    /** Frames read per queue and wake-up, so a busy tap cannot starve the loop's other clients. */
    private static final int READ_BUDGET = 64;

    private final NetClientContext context;
    private final List<FdChannel> queues;
    private final IoRegistration[] registrations;
    private final boolean vnetHdr;
    private final String ifname;
    private final String downscript;
    private final String info;
    /** One frame and its header; the runtime copies whatever it must keep. */
    private final ByteBuffer rx = ByteBuffer.allocateDirect(TunTap.VNET_HDR_LEN + MAX_FRAME);
    /** An all-zero virtio-net header (a plain frame), written in front of each frame when the tap wants one. */
    private final ByteBuffer vnetHeader;
    /** The header and the frame of one write: one writev, no copy of the frame. */
    private final ByteBuffer[] withHeader = new ByteBuffer[2];
    /** Flow control both ways: reading pauses while the peer holds a frame, sending waits for room on queue 0. */
    private final FramePump pump;
    private final NetCounter sendErrors;
    private final NetCounter recvErrors;
    private final NetCounter linkDown;
    private final NetCounter runt;
    /** Queue 0 failed a read and is no longer watched: a full queue can then never report room again. */
    private boolean firstQueueUnwatched;

    private TapBackend(NetClientContext context, List<FdChannel> queues, boolean vnetHdr, String ifname,
            String downscript, String info) {
        this.context = context;
        this.queues = queues;
        this.registrations = new IoRegistration[queues.size()];
        this.vnetHdr = vnetHdr;
        this.ifname = ifname;
        this.downscript = downscript;
        this.info = info;
        this.vnetHeader = vnetHdr ? ByteBuffer.allocateDirect(TunTap.VNET_HDR_LEN) : null;
        this.pump = new FramePump(context);
        this.sendErrors = context.dropCounter("send-error");
        this.recvErrors = context.counter("recv-error");
        this.linkDown = context.dropCounter("tap-down");
        this.runt = context.dropCounter("short-vnet-frame");
    }

    /**
     * Watches every queue. On failure the queues are closed (the down-script does not run: the
     * netdev never came up).
     *
     * @param ifname     the interface, for the down-script (null with inherited descriptors)
     * @param downscript the down-script or null
     * @param info       the {@code info network} text
     */
    static TapBackend start(NetClientContext context, List<FdChannel> queues, boolean vnetHdr, String ifname,
            String downscript, String info) throws NetException {
        TapBackend backend = new TapBackend(context, queues, vnetHdr, ifname, downscript, info);
        try {
            for (int i = 0; i < queues.size(); i++) {
                FdChannel queue = queues.get(i);
                backend.registrations[i] = context.loop().register(queue.fd(), SelectionKey.OP_READ,
                        ops -> backend.ready(queue, ops));
            }
            backend.pump.watch(backend.registrations[0]);
            return backend;
        } catch (IOException e) {
            // Stop watching before closing: epoll forgets a closed descriptor only with its last reference.
            for (IoRegistration registration : backend.registrations) {
                if (registration != null) {
                    registration.cancel();
                }
            }
            queues.forEach(FdChannel::close);
            throw NetException.generic("tap: cannot watch the descriptor: %s", e.getMessage());
        }
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        int start = frame.position();
        try {
            long written;
            if (vnetHdr) {
                withHeader[0] = vnetHeader.clear();
                withHeader[1] = frame;
                try {
                    written = queues.get(0).write(withHeader);
                } finally {
                    withHeader[1] = null; // the frame is the caller's only for this call
                }
            } else {
                written = queues.get(0).write(frame);
            }
            if (written == 0) {
                frame.position(start);
                if (firstQueueUnwatched) {
                    // Nothing would ever say the queue has room again: drop rather than hold the peer forever.
                    sendErrors.increment();
                    return Delivery.DROPPED;
                }
                // The queue is full: the runtime keeps the frame until it is writable.
                return pump.waitForWrite();
            }
            return Delivery.DELIVERED;
        } catch (PosixException e) {
            if (e.errno() == Libc.EIO) {
                // The interface is administratively down (no script brought it up yet): QEMU drops too.
                linkDown.increment();
            } else {
                context.ioFailed(sendErrors, "tap " + ifname + ": write failed: " + e.getMessage());
            }
            return Delivery.DROPPED;
        } catch (IOException e) {
            context.ioFailed(sendErrors, "tap " + ifname + ": write failed: " + e.getMessage());
            return Delivery.DROPPED;
        }
    }

    @Override
    public boolean canReceive() {
        return pump.canReceive();
    }

    @Override
    public String info() {
        return info;
    }

    /**
     * Stops watching the queues, on the loop. The descriptors stay open for {@link #release()}:
     * QEMU's order has the down-script see the interface before its last descriptor goes, and a
     * non-persistent tap disappears with it.
     */
    @Override
    public void close() {
        for (IoRegistration registration : registrations) {
            if (registration != null) {
                registration.cancel();
            }
        }
    }

    /**
     * The down-script (bounded by {@link Scripts#LIMIT}), then every descriptor; on the runtime's
     * control thread, so the loop's other netdevs carry frames meanwhile.
     */
    @Override
    public void release() {
        if (downscript != null) {
            try {
                Scripts.run(downscript, ifname);
            } catch (NetException e) {
                context.logger().log(System.Logger.Level.WARNING, e.getMessage());
            }
        }
        queues.forEach(FdChannel::close);
    }

    private void ready(FdChannel queue, int readyOps) {
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && queue == queues.get(0)) {
            pump.writable();
        }
        if ((readyOps & SelectionKey.OP_READ) != 0) {
            readFrames(queue);
        }
    }

    private void readFrames(FdChannel queue) {
        for (int i = 0; i < READ_BUDGET; i++) {
            rx.clear();
            try {
                if (queue.read(rx) <= 0) {
                    return;
                }
            } catch (IOException e) {
                // The interface was deleted under us (EBADFD): stop watching rather than spin.
                context.ioFailed(recvErrors, "tap " + ifname + ": read failed: " + e.getMessage());
                stopReading(queue);
                return;
            }
            rx.flip();
            if (vnetHdr) {
                if (rx.remaining() < TunTap.VNET_HDR_LEN) {
                    runt.increment();
                    continue;
                }
                rx.position(TunTap.VNET_HDR_LEN);
            }
            if (!pump.forward(rx)) {
                return; // the peer queued the frame: reading resumes when it has left the queue
            }
        }
    }

    private void stopReading(FdChannel queue) {
        int index = queues.indexOf(queue);
        if (index == 0) {
            firstQueueUnwatched = true;
            // Its write readiness will never come: let the runtime deliver (and us drop) what it holds.
            pump.writable();
        }
        registrations[index].cancel();
    }
}
