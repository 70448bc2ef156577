package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU's own {@code filter-dump} as the independent recorder: an ISA PC (it sends nothing) whose
 * socket netdev listens; Patchbay's socket netdev connects to it and carries Patchbay's
 * {@code filter-dump}. Both files must hold the same frames in the same order.
 */
@QemuTest
class QemuInteropTest {

    @TempDir
    Path dir;

    @AutoClose
    private final Cleanup cleanup = new Cleanup();

    @Test
    void patchbayAndQemuRecordTheSameFrames() throws Exception {
        Installed.require(Qemu.BINARY);
        int port = Ports.freeTcpPort();
        Path qemuPcap = dir.resolve("qemu.pcap");
        Path ourPcap = dir.resolve("patchbay.pcap");
        Program qemu = Qemu.recorder(dir, "socket,listen=127.0.0.1:" + port, qemuPcap);
        cleanup.add(qemu);
        Await.until(() -> Ports.tcpListening(port) || !qemu.isAlive(), "QEMU listening on " + port);
        assertTrue(qemu.isAlive(), qemu.describe());

        Rig rig = new Rig();
        cleanup.add(rig);
        rig.netdev("socket,id=s,connect=127.0.0.1:" + port);
        rig.netdev("inject,id=src");
        rig.netdev("hubport,id=hs,hubid=1,netdev=s");
        rig.netdev("hubport,id=hi,hubid=1,netdev=src");
        Await.until(() -> rig.info("s").equals("socket: connect to 127.0.0.1:" + port), "the connection");
        rig.object("filter-dump,id=f1,netdev=s,file=" + ourPcap);

        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            frames.add(Frames.testFrame(i, 60 + (i * 97) % 1455)); // 60..1514, all sizes mixed
        }
        frames.add(Frames.testFrame(300, 9014)); // a jumbo frame too
        rig.inject.get("src").send(frames);
        Await.until(() -> Pcap.read(qemuPcap).size() >= frames.size(), "QEMU's recording");
        rig.runtime.objectDel("f1");

        List<byte[]> ours = Pcap.readFinished(ourPcap).frames();
        qemu.close(); // QEMU writes unbuffered; stopping it makes sure nothing is half written
        List<byte[]> theirs = Pcap.readFinished(qemuPcap).frames();
        FilterDumpTest.assertFramesEqual(frames, ours);
        FilterDumpTest.assertFramesEqual(theirs, ours);
        assertEquals(Tools.tshark(dir, qemuPcap), Tools.tshark(dir, ourPcap));
    }
}
