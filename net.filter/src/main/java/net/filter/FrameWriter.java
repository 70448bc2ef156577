package net.filter;

import java.nio.ByteBuffer;
import net.api.NetCounter;
import net.api.NetEventLoop;
import net.api.NetFilterContext;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;

/**
 * Frames to an {@code outdev} chardev in QEMU's framing: a 4-byte big-endian length, with
 * {@code vnet_hdr_support} a 4-byte big-endian vnet header length (0: Patchbay's netdevs carry no
 * vnet header), then the frame. Frames wait in one bounded buffer, written once per loop iteration;
 * where QEMU blocks its main loop on a slow reader, a frame that finds the buffer full or the
 * chardev disconnected is dropped and counted.
 */
final class FrameWriter implements ChardevHandler {

    /** Room for about 170 full-size Ethernet frames, or 3 of QEMU's largest. */
    static final int CAPACITY = 256 * 1024;
    /** Counter: frames dropped because the buffer was full (the reader is slow). */
    static final String FULL = "outdev-full";
    /**
     * Counter: frames dropped because the chardev had no connection, or lost it while they were in
     * the buffer (whether or not the peer got some of them: the next connection starts afresh).
     */
    static final String DISCONNECTED = "outdev-disconnected";
    /**
     * Counter: frames written to the chardev, counted when the buffer they were in has gone out
     * whole; with {@link #FULL} and {@link #DISCONNECTED} every frame is counted exactly once.
     */
    static final String SENT = "outdev-frames";

    private final ByteBuffer out = ByteBuffer.allocateDirect(CAPACITY);
    private final Runnable flushTask = this::flush;
    private final NetEventLoop loop;
    private final boolean vnetHeader;
    private final NetCounter full;
    private final NetCounter disconnected;
    private final NetCounter sent;
    private final System.Logger log;
    private final String what;
    private ChardevPort port;
    private int buffered;
    private boolean flushQueued;
    private boolean blocked;
    private boolean warned;

    FrameWriter(NetFilterContext context, boolean vnetHeader, String what) {
        this.loop = context.loop();
        this.vnetHeader = vnetHeader;
        this.full = context.counter(FULL);
        this.disconnected = context.counter(DISCONNECTED);
        this.sent = context.counter(SENT);
        this.log = context.logger();
        this.what = what;
    }

    /** @param attached the outdev, attached with this writer as its handler */
    void port(ChardevPort attached) {
        this.port = attached;
        attached.readInterest(false); // QEMU never reads an outdev
    }

    /** Queues a copy of the frame; never blocks. */
    void send(ByteBuffer frame) {
        if (!port.isConnected()) {
            disconnected.increment();
            if (!warned) {
                warned = true; // QEMU reports every frame; once per disconnection is enough to see it
                log.log(System.Logger.Level.WARNING, what + " send failed(Input/output error)");
            }
            return;
        }
        int length = frame.remaining();
        if (out.remaining() < length + (vnetHeader ? 8 : 4)) {
            full.increment();
            return;
        }
        out.putInt(length);
        if (vnetHeader) {
            out.putInt(0);
        }
        out.put(frame); // the runtime restores the frame's position after the filter
        buffered++;
        if (!flushQueued && !blocked) {
            flushQueued = true;
            loop.executeAfterIo(flushTask);
        }
    }

    private void flush() {
        flushQueued = false;
        if (blocked || out.position() == 0) {
            return;
        }
        out.flip();
        int n = port.write(out);
        out.compact();
        if (n < 0) {
            lost();
        } else if (out.position() == 0) {
            sent.add(buffered);
            buffered = 0;
        } else {
            blocked = true; // writable() follows
        }
    }

    private void lost() {
        disconnected.add(buffered);
        buffered = 0;
        out.clear();
        blocked = false;
    }

    @Override
    public void opened() {
        warned = false;
    }

    @Override
    public void closed() {
        lost(); // half a frame must not start the next connection's stream
    }

    @Override
    public void readable() {
        // read interest is off
    }

    @Override
    public void writable() {
        blocked = false;
        flush();
    }

    void close() {
        if (port != null) {
            port.close();
        }
    }
}
