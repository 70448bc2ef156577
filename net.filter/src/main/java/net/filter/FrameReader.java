package net.filter;

import java.nio.ByteBuffer;
import net.api.NetCounter;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;

/**
 * Frames from an {@code indev} chardev in QEMU's framing (length, optional vnet header length,
 * frame), passed on from the filter's place in the chain as QEMU's redirector does: for
 * {@code queue=tx} as sent by the netdev, for {@code rx} as sent to it, for {@code all} both. One
 * read per wake-up into a buffer that holds the largest frame, so a fast writer cannot starve the
 * loop.
 */
final class FrameReader implements ChardevHandler {

    /** QEMU's NET_BUFSIZE: the largest frame. */
    static final int MAX_FRAME = 69_632;
    /** Counter: frames passed on. */
    static final String FRAMES = "indev-frames";
    /** Counter: a length above {@link #MAX_FRAME} (then, as QEMU, the indev is no longer read). */
    static final String BAD_LENGTH = "indev-bad-length";

    private final ByteBuffer in = ByteBuffer.allocateDirect(MAX_FRAME + 8 + 64 * 1024);
    private final ByteBuffer view = in.asReadOnlyBuffer();
    private final NetFilterContext context;
    private final boolean vnetHeader;
    private final NetCounter frames;
    private final NetCounter badLength;
    private ChardevPort port;

    FrameReader(NetFilterContext context, boolean vnetHeader) {
        this.context = context;
        this.vnetHeader = vnetHeader;
        this.frames = context.counter(FRAMES);
        this.badLength = context.counter(BAD_LENGTH);
    }

    void port(ChardevPort attached) {
        this.port = attached;
    }

    @Override
    public void readable() {
        if (port.read(in) <= 0) {
            return;
        }
        int header = vnetHeader ? 8 : 4;
        int at = 0;
        int end = in.position();
        while (end - at >= header) {
            long length = Integer.toUnsignedLong(in.getInt(at));
            if (length > MAX_FRAME) {
                badLength.increment();
                context.logger().log(System.Logger.Level.ERROR,
                        context.id() + ": serious error: oversized packet received, connection terminated.");
                port.readInterest(false);
                in.clear();
                return;
            }
            if (end - at - header < length) {
                break;
            }
            int start = at + header; // the vnet header length is read past: Patchbay's frames have none
            view.limit(start + (int) length).position(start);
            pass(view);
            at = start + (int) length;
        }
        in.limit(end).position(at);
        in.compact();
    }

    private void pass(ByteBuffer frame) {
        frames.increment();
        NetFilterDirection queue = context.queue();
        int position = frame.position();
        if (queue != NetFilterDirection.RX) {
            context.passOn(frame, NetFilterDirection.TX);
            frame.position(position);
        }
        if (queue != NetFilterDirection.TX) {
            context.passOn(frame, NetFilterDirection.RX);
        }
    }

    @Override
    public void opened() {
        in.clear();
    }

    @Override
    public void closed() {
        in.clear(); // a frame cut by the disconnection is not finished by the next connection
    }

    @Override
    public void writable() {
        // nothing is written to an indev
    }

    void close() {
        if (port != null) {
            port.close();
        }
    }
}
