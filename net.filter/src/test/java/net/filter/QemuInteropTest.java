package net.filter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.Installed;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Patchbay's filter-mirror into QEMU 7.2's filter-redirector and QEMU's filter-mirror into
 * Patchbay's filter-redirector, over unix socket chardevs, with and without
 * {@code vnet_hdr_support}. QEMU runs {@code -M none}; its socket netdevs carry the frames to and
 * from the test (QEMU's socket framing: a 4-byte length, then the frame).
 */
@QemuTest
class QemuInteropTest {

    @org.junit.jupiter.api.io.TempDir
    Path dir;

    @AutoClose
    private final Cleanup cleanup = new Cleanup();

    private Program qemu(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("-M", "none", "-accel", "tcg", "-nodefaults", "-no-user-config",
                "-display", "none"));
        all.addAll(List.of(args));
        Program qemu = Qemu.start(dir, "qemu", all);
        cleanup.add(qemu);
        return qemu;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void patchbaysMirrorFeedsQemusRedirector(boolean vnet) throws Exception {
        Installed.require(Qemu.BINARY);
        String hdr = vnet ? ",vnet_hdr_support=on" : "";
        Path chardev = dir.resolve("mirror.sock");
        ServerSocketChannel far = ServerSocketChannel.open(StandardProtocolFamily.INET);
        cleanup.add(far);
        far.bind(new InetSocketAddress("127.0.0.1", 0));
        int farPort = far.socket().getLocalPort();
        // QEMU: frames from its indev go on as n0's (queue=tx): n0's hub port, hub 0, n1, the test.
        Program qemu = qemu("-chardev", "socket,id=c0,path=" + chardev + ",server=on,wait=off",
                "-netdev", "socket,id=n0,listen=127.0.0.1:" + Ports.freeTcpPort(),
                "-netdev", "hubport,id=h0,hubid=0,netdev=n0",
                "-netdev", "socket,id=n1,connect=127.0.0.1:" + farPort,
                "-netdev", "hubport,id=h1,hubid=0,netdev=n1",
                "-object", "filter-redirector,id=r0,netdev=n0,queue=tx,indev=c0" + hdr);
        SocketChannel out = far.accept();
        cleanup.add(out);
        Await.until(() -> Ports.unixListening(chardev) || !qemu.isAlive(), "QEMU's chardev listening");
        assertTrue(qemu.isAlive(), qemu.describe());

        Rig rig = new Rig().pair();
        cleanup.add(rig);
        rig.chardev("socket,id=m,path=" + chardev);
        rig.object("filter-mirror,id=m0,netdev=a,queue=tx,outdev=m" + hdr);
        List<byte[]> frames = Frames.testFrames(0, 20, 600);
        frames.add(Frames.testFrame(20, 1514));
        rig.inject.get("a").send(frames);
        List<byte[]> arrived = Rig.read(out, frames.size(), false);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), arrived.get(i), "frame " + i + " through QEMU's redirector");
        }
        Await.until(() -> rig.inject.get("b").count() == frames.size(), "the originals passed in Patchbay");
        assertEquals(frames.size(), rig.filter("a", "m0").counters().get(FrameWriter.SENT));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void qemusMirrorFeedsPatchbaysRedirector(boolean vnet) throws Exception {
        Installed.require(Qemu.BINARY);
        String hdr = vnet ? ",vnet_hdr_support=on" : "";
        Path chardev = dir.resolve("redirector.sock");
        Rig rig = new Rig().pair();
        cleanup.add(rig);
        rig.chardev("socket,id=in,path=" + chardev + ",server=on,wait=off");
        rig.object("filter-redirector,id=r0,netdev=a,queue=tx,indev=in" + hdr);
        // QEMU: frames the test sends into n0 are n0's (tx): its mirror copies them to Patchbay.
        int port = Ports.freeTcpPort();
        Program qemu = qemu("-chardev", "socket,id=c0,path=" + chardev,
                "-netdev", "socket,id=n0,listen=127.0.0.1:" + port,
                "-netdev", "hubport,id=h0,hubid=0,netdev=n0",
                "-object", "filter-mirror,id=m0,netdev=n0,queue=tx,outdev=c0" + hdr);
        Await.until(() -> Ports.tcpListening(port) || !qemu.isAlive(), "QEMU listening on " + port);
        assertTrue(qemu.isAlive(), qemu.describe());
        Await.until(() -> rig.chardevs.list().get(0).filename().startsWith("unix:"), "QEMU's mirror connected");
        List<byte[]> frames = Frames.testFrames(0, 20, 600);
        frames.add(Frames.testFrame(20, 1514));
        try (SocketChannel in = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            in.write(ByteBuffer.wrap(Rig.framed(frames, false)));
            Await.until(() -> rig.inject.get("b").count() == frames.size() || !qemu.isAlive(),
                    "QEMU's copies passed on by Patchbay's redirector");
        }
        assertTrue(qemu.isAlive(), qemu.describe());
        List<byte[]> got = rig.inject.get("b").received();
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), got.get(i), "frame " + i);
        }
        assertEquals(frames.size(), rig.filter("a", "r0").counters().get(FrameReader.FRAMES));
    }
}
