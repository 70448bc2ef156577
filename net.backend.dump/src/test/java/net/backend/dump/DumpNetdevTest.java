package net.backend.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.api.Delivery;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetException;
import net.api.NicModel;
import net.api.control.Section;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dump} netdev: a hub member recording what the hub forwards to it. */
class DumpNetdevTest {

    @TempDir
    Path dir;

    private final Rig rig = new Rig();

    @AfterEach
    void close() throws InterruptedException {
        rig.close();
        Tools.awaitNoWriters();
    }

    @Test
    void legacyDumpOnAVlanRecordsTheHubsFrames() throws Exception {
        Path pcap = dir.resolve("vlan3.pcap");
        assertEquals("dump.0", rig.add(Section.NET, "dump,vlan=3,file=" + pcap));
        rig.add(Section.NET, "inject,vlan=3,id=src");
        assertEquals("dump to " + pcap + " (len=65536)", rig.runtime.client("dump.0").info());
        List<byte[]> frames = Inject.frames(0, 40, 1514);
        rig.client("src").send(frames);
        Tools.await(() -> rig.runtime.network().clients().stream().anyMatch(c -> c.name().equals("dump.0")
                && c.counters().rxFrames() == 40), "40 frames at the dump");
        rig.close(); // -net clients cannot be deleted; closing the runtime closes the file
        Tools.awaitNoWriters();
        FilterDumpTest.assertFramesEqual(frames, PcapReader.read(pcap).frames());
        assertEquals(Tools.lengths(frames, 65536), Tools.tshark(dir, pcap));
    }

    @Test
    void lenTruncatesAndDefaultFileIsNamedAfterTheHub() throws Exception {
        Path defaultFile = Path.of(HubTarget.defaultFile(7)).toAbsolutePath();
        try {
            rig.add(Section.NET, "dump,vlan=7,len=64");
            rig.add(Section.NET, "inject,vlan=7,id=src");
            Tools.await(() -> {
                try {
                    return rig.runtime.client("dump.0").info().equals("dump to qemu-vlan7.pcap (len=64)");
                } catch (NetException e) {
                    return false;
                }
            }, "the default file name");
            List<byte[]> frames = List.of(Inject.frame(1, 60), Inject.frame(2, 64), Inject.frame(3, 65), Inject.frame(4, 1500));
            rig.client("src").send(frames);
            Tools.await(() -> rxFrames("dump.0") == 4, "4 frames at the dump");
            rig.close();
            Tools.awaitNoWriters();
            PcapReader.File file = PcapReader.read(defaultFile);
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
    void aNetdevDumpJoinsAHubThroughAHubport() throws Exception {
        Path pcap = dir.resolve("member.pcap");
        rig.netdev("dump,id=d0,file=" + pcap);
        rig.netdev("inject,id=src");
        rig.netdev("hubport,id=h0,hubid=9,netdev=d0");
        rig.netdev("hubport,id=h1,hubid=9,netdev=src");
        List<byte[]> frames = Inject.frames(0, 25, 300);
        rig.client("src").send(frames);
        Tools.await(() -> rxFrames("d0") == 25, "25 frames at the dump");
        rig.runtime.netdevDel("d0");
        // The file is complete when the writer ends; usually before netdev_del returns, but not
        // when the deletion overtook the writer's question about the hub (see Capture.close()).
        Tools.awaitNoWriters();
        FilterDumpTest.assertFramesEqual(frames, PcapReader.read(pcap).frames());
        Tools.tshark(dir, pcap);
    }

    @Test
    void errorsInQemuWords() throws Exception {
        assertEquals("invalid length: 3221225472", rig.error(Section.NET, "dump,len=3G,file=" + dir.resolve("x")));
        Path missing = dir.resolve("no/x.pcap");
        assertEquals("-net dump: can't open " + missing, rig.error(Section.NET, "dump,file=" + missing));
    }

    @Test
    void dumpPeeredWithANicIsRefusedWithAnEvent() throws Exception {
        rig.runtime.bindNicModel(new Sink(), Map.of("nic.type", "sink"));
        rig.netdev("dump,id=d0,file=" + dir.resolve("nic.pcap"));
        rig.add(Section.DEVICE, "sink,id=n0,netdev=d0");
        Tools.await(() -> !rig.events(CaptureEvents.STOPPED).isEmpty(), "the stop event");
        assertEquals(HubTarget.notOnHub("d0"), rig.events(CaptureEvents.STOPPED).get(0).data().get("reason"));
        assertEquals("dump to " + dir.resolve("nic.pcap") + " (len=65536) stopped: " + HubTarget.notOnHub("d0"),
                rig.runtime.client("d0").info());
    }

    private long rxFrames(String id) {
        try {
            return rig.runtime.client(id).counters().rxFrames();
        } catch (NetException e) {
            return -1;
        }
    }

    /** A NIC model that takes every frame. */
    static final class Sink implements NicModel<Inject.Options> {
        @Override
        public Class<Inject.Options> optionsType() {
            return Inject.Options.class;
        }

        @Override
        public NetClient open(Inject.Options options, NetClientContext context) {
            return new NetClient() {
                @Override
                public Delivery receive(java.nio.ByteBuffer frame) {
                    return Delivery.DELIVERED;
                }

                @Override
                public String info() {
                    return "model=sink";
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
