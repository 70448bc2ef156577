package net.backend.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.List;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetException;
import net.api.SendResult;
import net.api.SentCallback;
import net.api.posix.FdChannel;
import net.api.posix.Libc;
import net.api.posix.PosixException;

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
    /** A zero header then the frame, for queues with IFF_VNET_HDR; the header bytes are never written. */
    /** An all-zero virtio-net header (a plain frame), written in front of each frame when the tap wants one. */
    private final ByteBuffer vnetHeader;
    /** The header and the frame of one write: one writev, no copy of the frame. */
    private final ByteBuffer[] withHeader = new ByteBuffer[2];
    /** A field, not a lambda per send: the peer calls it when a queued frame has left its queue. */
    private final SentCallback resumeReading;
    private final NetCounter sendErrors;
    private final NetCounter recvErrors;
    private final NetCounter linkDown;
    private final NetCounter runt;
    private boolean waitingForWrite;
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
        this.resumeReading = length -> context.resumeReading();
        this.sendErrors = context.counter("send-error");
        this.recvErrors = context.counter("recv-error");
        this.linkDown = context.counter("tap-down");
        this.runt = context.counter("short-vnet-frame");
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
                backend.registrations[i] = context.loop().register(queue, SelectionKey.OP_READ,
                        ops -> backend.ready(queue, ops));
            }
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
                // The queue is full: the runtime keeps the frame until receiveReady().
                waitingForWrite = true;
                registrations[0].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return Delivery.RETRY_LATER;
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
        return !waitingForWrite;
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
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && waitingForWrite && queue == queues.get(0)) {
            waitingForWrite = false;
            registrations[0].interestOps(SelectionKey.OP_READ);
            context.receiveReady();
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
            if (context.send(rx, resumeReading) == SendResult.QUEUED) {
                // The peer queued the frame; read no more until resumeReading runs.
                context.pauseReading();
                return;
            }
        }
    }

    private void stopReading(FdChannel queue) {
        int index = queues.indexOf(queue);
        registrations[index].cancel();
        if (index == 0) {
            firstQueueUnwatched = true;
            if (waitingForWrite) {
                // Its write readiness will never come: let the runtime deliver (and us drop) what it holds.
                waitingForWrite = false;
                context.receiveReady();
            }
        }
    }
}
