package net.backend.tap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import net.api.Delivery;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetException;
import net.driverkit.PacketClient;
import net.driverkit.PacketWire;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * One queue (descriptor) of an open tap: what is tap's own, a {@link PacketWire}. An open tap is a
 * {@link PacketClient} of its queues: each {@code read} returns one frame and each {@code write}
 * takes one; every queue is read, frames from the peer go out on the first. With IFF_VNET_HDR
 * every frame on the descriptor carries a 10-byte virtio-net header, which no Patchbay peer uses:
 * it is skipped on read and written as zeros ("no offload") on write, as QEMU does for a NIC
 * without vnet headers.
 */
final class TapBackend implements PacketWire {

    private final NetClientContext context;
    private final FdChannel queue;
    private final boolean vnetHdr;
    private final String ifname;
    /** The first queue's: QEMU runs the down-script with the first queue's clean-up. */
    private final String downscript;
    /** An all-zero virtio-net header (a plain frame), written in front of each frame when the tap wants one. */
    private final ByteBuffer vnetHeader;
    /** The header and the frame of one write: one writev, no copy of the frame. */
    private final ByteBuffer[] withHeader = new ByteBuffer[2];
    private final NetCounter linkDown;
    private final NetCounter runt;

    private TapBackend(NetClientContext context, FdChannel queue, boolean vnetHdr, String ifname, String downscript) {
        this.context = context;
        this.queue = queue;
        this.vnetHdr = vnetHdr;
        this.ifname = ifname;
        this.downscript = downscript;
        this.vnetHeader = vnetHdr ? ByteBuffer.allocateDirect(TunTap.VNET_HDR_LEN) : null;
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
     * @return the running client
     */
    static NetClient start(NetClientContext context, List<FdChannel> queues, boolean vnetHdr, String ifname,
            String downscript, String info) throws NetException {
        List<TapBackend> wires = new ArrayList<>(queues.size());
        for (FdChannel queue : queues) {
            wires.add(new TapBackend(context, queue, vnetHdr, ifname, wires.isEmpty() ? downscript : null));
        }
        try {
            return PacketClient.start(context, wires, TunTap.VNET_HDR_LEN + NetClient.MAX_FRAME, info);
        } catch (IOException e) {
            queues.forEach(FdChannel::close); // the client stopped watching them first
            throw NetException.generic("tap: cannot watch the descriptor: %s", e.getMessage());
        }
    }

    @Override
    public Read read(ByteBuffer into) throws IOException {
        if (queue.read(into) <= 0) {
            return Read.NONE;
        }
        into.flip();
        if (vnetHdr) {
            if (into.remaining() < TunTap.VNET_HDR_LEN) {
                runt.increment();
                return Read.DROPPED;
            }
            into.position(TunTap.VNET_HDR_LEN);
        }
        return Read.FRAME;
    }

    @Override
    public Delivery write(ByteBuffer frame) throws IOException {
        long written;
        try {
            if (vnetHdr) {
                withHeader[0] = vnetHeader.clear();
                withHeader[1] = frame;
                try {
                    written = queue.write(withHeader);
                } finally {
                    withHeader[1] = null; // the frame is the caller's only for this call
                }
            } else {
                written = queue.write(frame);
            }
        } catch (PosixException e) {
            if (e.errno() != Libc.EIO) {
                throw e;
            }
            // The interface is administratively down (no script brought it up yet): QEMU drops too.
            linkDown.increment();
            return Delivery.DROPPED;
        }
        // 0: the queue is full; the runtime keeps the frame until it is writable.
        return written == 0 ? Delivery.RETRY_LATER : Delivery.DELIVERED;
    }

    @Override
    public IoRegistration register(NetEventLoop loop, IoHandler handler) throws IOException {
        return loop.register(queue.fd(), SelectionKey.OP_READ, handler);
    }

    /** A failed read means the interface was deleted under us (EBADFD): stop watching rather than spin. */
    @Override
    public boolean stopReadingOnFailure() {
        return true;
    }

    /**
     * Nothing: the client has stopped watching the queue, and the descriptor stays open for
     * {@link #release()}. QEMU's order has the down-script see the interface before its last
     * descriptor goes, and a non-persistent tap disappears with it.
     */
    @Override
    public void close() {
    }

    /**
     * The down-script (the first queue's, bounded by {@link Scripts#LIMIT}), then the descriptor;
     * on the runtime's control thread, so the loop's other netdevs carry frames meanwhile. The
     * client releases the first queue first, so the script runs while every descriptor is open.
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
        queue.close();
    }
}
