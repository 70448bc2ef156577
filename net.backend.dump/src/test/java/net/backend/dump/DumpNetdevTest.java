package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.api.NetException;
import net.control.Section;
import net.control.dto.NetClientDTO;
import net.driverkit.OutputFiles;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Pcap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dump} netdev: a hub member recording what the hub forwards to it. */
class DumpNetdevTest {

    @TempDir
    Path dir;

    private final Rig rig = new Rig();

    @AfterEach
    void close() throws Exception {
        rig.close();
        Tools.awaitNoWriters();
    }

    @Test
    void legacyDumpOnAVlanRecordsTheHubsFrames() throws Exception {
        Path pcap = dir.resolve("vlan3.pcap");
        String dump = rig.add(Section.NET, "dump,vlan=3,file=" + pcap);
        rig.add(Section.NET, "inject,vlan=3,id=src");
        assertEquals("dump to " + pcap + " (len=65536)", rig.runtime.client(dump).info());
        List<byte[]> frames = Frames.testFrames(0, 40, 1514);
        rig.inject.get("src").send(frames);
        Await.until(() -> rig.runtime.network().clients().stream().anyMatch(c -> c.name().equals(dump)
                && c.counters().rxFrames() == 40), "40 frames at the dump");
        rig.close(); // -net clients cannot be deleted; closing the runtime closes the file
        Tools.awaitNoWriters();
        FilterDumpTest.assertFramesEqual(frames, Pcap.readFinished(pcap).frames());
        assertEquals(Tools.lengths(frames, 65536), Tools.tshark(dir, pcap));
    }

    @Test
    void lenTruncatesAndDefaultFileIsNamedAfterTheHub() throws Exception {
        Path defaultFile = Path.of(HubTarget.defaultFile(7)).toAbsolutePath();
        try {
            String dump = rig.add(Section.NET, "dump,vlan=7,len=64");
            // The hub is known when a -net dump opens: its file is named and open at once.
            assertEquals("dump to qemu-vlan7.pcap (len=64)", rig.runtime.client(dump).info());
            assertTrue(Files.exists(defaultFile));
            rig.add(Section.NET, "inject,vlan=7,id=src");
            List<byte[]> frames = List.of(Frames.testFrame(1, 60), Frames.testFrame(2, 64), Frames.testFrame(3, 65), Frames.testFrame(4, 1500));
            rig.inject.get("src").send(frames);
            Await.until(() -> rxFrames(dump) == 4, "4 frames at the dump");
            rig.close();
            Tools.awaitNoWriters();
            Pcap.Capture file = Pcap.readFinished(defaultFile);
            assertEquals(64, file.snaplen());
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(frames.get(i).length, file.records().get(i).originalLength());
                assertArrayEquals(Arrays.copyOf(frames.get(i), Math.min(64, frames.get(i).length)),
                        file.records().get(i).data());
            }
            assertEquals(Tools.lengths(frames, 64), Tools.tshark(dir, defaultFile));
        } finally {
            Files.deleteIfExists(defaultFile);
        }
    }

    @Test
    void aDefaultFileThatCannotBeOpenedFailsTheNetDumpAtOnce() throws Exception {
        // A directory in the way of qemu-vlan5.pcap, in the working directory like the file would be.
        Path inTheWay = Files.createDirectory(Path.of(HubTarget.defaultFile(5)).toAbsolutePath());
        try {
            List<String> before = clientNames();
            assertEquals("-net dump: can't open qemu-vlan5.pcap", rig.error(Section.NET, "dump,vlan=5"));
            assertEquals(before, clientNames(), "neither the dump nor its hub port is left");
        } finally {
            Files.delete(inTheWay);
        }
    }

    @Test
    void aNetdevDumpJoinsAHubThroughAHubport() throws Exception {
        Path pcap = dir.resolve("member.pcap");
        rig.netdev("dump,id=d0,file=" + pcap);
        rig.netdev("inject,id=src");
        rig.netdev("hubport,id=h0,hubid=9,netdev=d0");
        rig.netdev("hubport,id=h1,hubid=9,netdev=src");
        List<byte[]> frames = Frames.testFrames(0, 25, 300);
        rig.inject.get("src").send(frames);
        Await.until(() -> rxFrames("d0") == 25, "25 frames at the dump");
        rig.runtime.netdevDel("d0"); // the file is complete when netdev_del returns
        FilterDumpTest.assertFramesEqual(frames, Pcap.readFinished(pcap).frames());
        Tools.tshark(dir, pcap);
    }

    @Test
    void aNetdevDumpIsNamedAfterTheHubItJoinsEvenWithoutTraffic() throws Exception {
        Path defaultFile = Path.of(HubTarget.defaultFile(11)).toAbsolutePath();
        try {
            rig.netdev("dump,id=d0");
            assertEquals("dump to (file named when it joins a hub) (len=65536)", rig.runtime.client("d0").info());
            rig.netdev("hubport,id=h0,hubid=11,netdev=d0");
            // Named when the hubport is made (peerChanged), not by a later check or a first frame.
            assertEquals("dump to qemu-vlan11.pcap (len=65536)", info("d0"));
            Await.until(() -> size(defaultFile) == 24, "the pcap header, before any frame");
            rig.runtime.netdevDel("d0");
            assertTrue(Pcap.readFinished(defaultFile).records().isEmpty());
        } finally {
            Files.deleteIfExists(defaultFile);
        }
    }

    /** With the working directory as the deploy directory no capture goes there, a dump's default name included. */
    @Test
    void noCaptureIsWrittenIntoTheDeployDirectory() throws Exception {
        OutputFiles deployHere = new OutputFiles(Path.of("").toAbsolutePath());
        String refusal = "Parameter 'file' expects a file outside the deploy directory " + Path.of("").toRealPath();
        Path defaultFile = Path.of(HubTarget.defaultFile(12)).toAbsolutePath();
        try (TestRuntime guarded = new TestRuntime(1)) {
            guarded.netdevType(DumpDriver.TYPE, new DumpDriver(CaptureRing.DEFAULT_CAPACITY, deployHere));
            guarded.filterType(DumpFilterDriver.TYPE, new DumpFilterDriver(CaptureRing.DEFAULT_CAPACITY, deployHere));
            guarded.netdev("inject,id=a");
            assertEquals(refusal, guarded.error(Section.OBJECT, "filter-dump,id=f0,netdev=a,file=net.netdev-x.cfg"));
            assertEquals(refusal, guarded.error(Section.NETDEV, "dump,id=d1,file=target/../x.pcap"));
            guarded.object("filter-dump,id=f1,netdev=a,file=" + dir.resolve("a.pcap")); // elsewhere: fine
            guarded.netdev("dump,id=d0");
            guarded.netdev("hubport,id=h0,hubid=12,netdev=d0");
            Await.until(() -> !guarded.events(CaptureEvents.STOPPED).isEmpty(), "the stop event");
            assertEquals(refusal, guarded.events(CaptureEvents.STOPPED).get(0).data().get("reason"));
            assertTrue(Files.notExists(defaultFile), "the default file was made in the deploy directory");
        } finally {
            Files.deleteIfExists(defaultFile);
        }
    }

    @Test
    void errorsInQemuWords() throws Exception {
        assertEquals("invalid length: 3221225472", rig.error(Section.NET, "dump,len=3G,file=" + dir.resolve("x")));
        Path missing = dir.resolve("no/x.pcap");
        assertEquals("-net dump: can't open " + missing, rig.error(Section.NET, "dump,file=" + missing));
    }

    @Test
    void dumpPeeredWithANicIsRefusedWithAnEvent() throws Exception {
        Path pcap = dir.resolve("nic.pcap");
        rig.netdev("dump,id=d0,file=" + pcap);
        rig.add(Section.DEVICE, "inject,id=n0,netdev=d0");
        // Refused when the NIC is plugged in, though it never sends (the writer thread reports it).
        Await.until(() -> !rig.events(CaptureEvents.STOPPED).isEmpty(), Duration.ofSeconds(1), "the stop event");
        Rig.Event e = rig.events(CaptureEvents.STOPPED).get(0);
        assertEquals("d0", e.data().get("id"));
        assertEquals(pcap.toString(), e.data().get("file"));
        assertEquals(HubTarget.notOnHub("d0"), e.data().get("reason"));
        assertEquals("dump to " + pcap + " (len=65536) (stopped: " + HubTarget.notOnHub("d0") + ")", info("d0"));
        rig.runtime.netdevDel("d0");
        assertEquals(0, Files.size(pcap), "nothing recorded");
    }

    private List<String> clientNames() {
        return rig.runtime.network().clients().stream().map(NetClientDTO::name).toList();
    }

    private String info(String id) {
        try {
            return rig.runtime.client(id).info();
        } catch (NetException e) {
            return "";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private long rxFrames(String id) {
        try {
            return rig.runtime.client(id).counters().rxFrames();
        } catch (NetException e) {
            return -1;
        }
    }
}
