package net.filter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import net.api.NetException;
import net.backend.socket.SocketDriver;
import net.chardev.socket.ChardevRegistry;
import net.control.QemuOptions;
import net.testkit.TestRuntime;

/** The test kit's runtime with the chardevs, this bundle's filters and the socket driver. */
final class Rig extends TestRuntime {

    final ChardevRegistry chardevs = new ChardevRegistry(System.getLogger("test"));

    Rig() {
        super(2);
        netdevType("socket", new SocketDriver());
        filterType(MirrorFilterDriver.TYPE, new MirrorFilterDriver(chardevs));
        filterType(RedirectorFilterDriver.TYPE, new RedirectorFilterDriver(chardevs));
        filterType(BufferFilterDriver.TYPE, new BufferFilterDriver());
    }

    /** Two inject netdevs {@code a} and {@code b} on hub 1. */
    Rig pair() throws NetException {
        netdev("inject,id=a");
        netdev("inject,id=b");
        hub("a", "b");
        return this;
    }

    /** @param options {@code -chardev} syntax, e.g. {@code socket,id=c0,path=P,server=on,wait=off} */
    String chardev(String options) throws NetException {
        return chardevs.add(QemuOptions.parse(options, "backend"));
    }

    /** @return QEMU's framing of the frames: length, [vnet header length 0,] frame */
    static byte[] framed(List<byte[]> frames, boolean vnet) {
        int size = frames.stream().mapToInt(f -> f.length + (vnet ? 8 : 4)).sum();
        ByteBuffer out = ByteBuffer.allocate(size);
        for (byte[] f : frames) {
            out.putInt(f.length);
            if (vnet) {
                out.putInt(0);
            }
            out.put(f);
        }
        return out.array();
    }

    /** Reads {@code count} framed frames from a blocking socket. */
    static List<byte[]> read(SocketChannel socket, int count, boolean vnet) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer header = fill(socket, ByteBuffer.allocate(vnet ? 8 : 4));
            if (vnet && header.getInt(4) != 0) {
                throw new IOException("vnet header length " + header.getInt(4));
            }
            frames.add(fill(socket, ByteBuffer.allocate(header.getInt(0))).array());
        }
        return frames;
    }

    private static ByteBuffer fill(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new IOException("end of stream after " + buffer.position() + " bytes");
            }
        }
        return buffer;
    }

    @Override
    public void close() {
        super.close();
        chardevs.deactivate();
    }
}
