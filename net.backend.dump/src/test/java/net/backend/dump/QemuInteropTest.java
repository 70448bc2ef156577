package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.api.NetException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU's own {@code filter-dump} as the independent recorder: an ISA PC (it sends nothing) whose
 * socket netdev listens; Patchbay's socket netdev connects to it and carries Patchbay's
 * {@code filter-dump}. Both files must hold the same frames in the same order.
 */
class QemuInteropTest {

    private static final String QEMU = "/usr/bin/qemu-system-x86_64";

    @TempDir
    Path dir;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void patchbayAndQemuRecordTheSameFrames() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(QEMU)), "QEMU is not installed");
        int port = freePort();
        Path qemuPcap = dir.resolve("qemu.pcap");
        Path ourPcap = dir.resolve("patchbay.pcap");
        // Always TCG: under nested KVM the firmware can die before the netdev matters.
        Tools.Run qemu = Tools.start(dir, "recorder", List.of(QEMU, "-M", "isapc", "-accel", "tcg", "-nodefaults",
                "-no-user-config", "-display", "none",
                "-netdev", "socket,id=s0,listen=127.0.0.1:" + port, "-device", "ne2k_isa,netdev=s0",
                "-object", "filter-dump,id=f1,netdev=s0,file=" + qemuPcap));
        cleanup.add(qemu);
        Tools.await(() -> listening(port) || !qemu.process().isAlive(), "QEMU listening on " + port);
        assertTrue(qemu.process().isAlive(), qemu.stderr());

        Rig rig = new Rig();
        cleanup.add(rig);
        rig.netdev("socket,id=s,connect=127.0.0.1:" + port);
        rig.netdev("inject,id=src");
        rig.netdev("hubport,id=hs,hubid=1,netdev=s");
        rig.netdev("hubport,id=hi,hubid=1,netdev=src");
        Tools.await(() -> info(rig, "s").equals("socket: connect to 127.0.0.1:" + port), "the connection");
        rig.object("filter-dump,id=f1,netdev=s,file=" + ourPcap);

        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            frames.add(Inject.frame(i, 60 + (i * 97) % 1455)); // 60..1514, all sizes mixed
        }
        frames.add(Inject.frame(300, 9014)); // a jumbo frame too
        rig.client("src").send(frames);
        Tools.await(() -> recorded(qemuPcap) >= frames.size(), "QEMU's recording");
        rig.runtime.objectDel("f1");

        List<byte[]> ours = PcapReader.read(ourPcap).frames();
        qemu.close(); // QEMU writes unbuffered; stopping it makes sure nothing is half written
        List<byte[]> theirs = PcapReader.read(qemuPcap).frames();
        FilterDumpTest.assertFramesEqual(frames, ours);
        FilterDumpTest.assertFramesEqual(theirs, ours);
        assertEquals(Tools.tshark(dir, qemuPcap), Tools.tshark(dir, ourPcap));
    }

    private static int recorded(Path pcap) {
        try {
            return PcapReader.read(pcap).records().size();
        } catch (IOException e) {
            return -1; // QEMU is mid-record
        }
    }

    private static String info(Rig rig, String id) {
        try {
            return rig.runtime.client(id).info();
        } catch (NetException e) {
            return "";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether something listens on the port, without connecting (QEMU serves one client). */
    private static boolean listening(int port) {
        String local = String.format(":%04X", port);
        try {
            return Files.readAllLines(Path.of("/proc/net/tcp")).stream().map(l -> l.trim().split("\\s+"))
                    .anyMatch(f -> f.length > 3 && f[1].endsWith(local) && f[3].equals("0A"));
        } catch (IOException e) {
            return false;
        }
    }
}
