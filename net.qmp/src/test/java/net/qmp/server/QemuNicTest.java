package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetClientContext;
import net.api.NetClientDriver;
import net.api.NicModel;
import net.control.QemuOptions;
import net.control.Section;
import net.control.qmp.QmpListener;
import net.hub.NetRuntime;
import net.testlib.Await;
import net.testlib.Background;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patchbay's NICs against a real {@code qemu-system-x86_64 -M pc} (7.2) with e1000 and usb-net
 * NICs: {@code announce-self}'s frame, errors and schema, the members and paths of
 * {@code DEVICE_DELETED}, and the shape of {@code info network} with {@code -device}, {@code -nic}
 * and {@code -net nic}. Patchbay's side is the test NIC {@code nic-x} on {@code inject} and hubport
 * netdevs; where a model's name is in the answer, QEMU's is replaced by {@code nic-x}.
 */
@QemuTest
@Timeout(120)
class QemuNicTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private NetRuntime runtime;
    private final InjectDriver wires = new InjectDriver();
    private final TestDrivers.XNic nics = new TestDrivers.XNic();
    private QmpTestClient patchbay;

    @BeforeEach
    void start() throws Exception {
        Installed.require(Qemu.BINARY);
        runtime = new NetRuntime(1, System::getLogger);
        runtime.bindNetClientDriver(wires, Map.of(NetClientDriver.TYPE, InjectDriver.TYPE));
        runtime.bindNicModel(nics, Map.of(NicModel.TYPE, "nic-x"));
        QmpServer server = new QmpServer(runtime, "patchbay-1.0.0", () -> { }, System.getLogger("qmp-test"));
        runtime.bindNetEventListener(server);
        QmpListener listener = server.listen("unix:" + dir.resolve("patchbay-qmp.sock") + ",server=on,wait=off");
        open.add(runtime::close);
        open.add(server::close);
        patchbay = negotiated(QmpTestClient.connect(listener));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private QmpTestClient qemu(List<String> machine) throws Exception {
        Path socket = dir.resolve("qemu-qmp.sock");
        Program program = Qemu.startWithQmp(dir, "qemu-nic", socket, machine);
        open.add(program);
        QmpTestClient client = QmpTestClient.connect(socket);
        open.add(client);
        return negotiated(client);
    }

    private static QmpTestClient negotiated(QmpTestClient client) throws Exception {
        assertTrue(client.next().has("QMP"));
        assertEquals("{\"return\": {}}", client.executeRaw("{\"execute\": \"qmp_capabilities\"}"));
        return client;
    }

    private static String hmp(QmpTestClient c, String line) throws Exception {
        JsonNode reply = c.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                + JSON.writeValueAsString(line) + "}}");
        assertNotNull(reply.get("return"), reply.toString());
        return reply.get("return").textValue();
    }

    private void add(Section section, String options) throws Exception {
        runtime.add(section, QemuOptions.parse(options, section.typeKey()));
    }

    @Test
    void announceSelfSendsQemusFrameAndAnswersAsQemu() throws Exception {
        DatagramChannel wire = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        int port = ((InetSocketAddress) wire.getLocalAddress()).getPort();
        List<byte[]> datagrams = new CopyOnWriteArrayList<>();
        Thread reader = Background.start(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(2048);
            try {
                while (true) {
                    buffer.clear();
                    wire.receive(buffer);
                    datagrams.add(Arrays.copyOf(buffer.array(), buffer.position()));
                }
            } catch (ClosedChannelException e) {
                // the test is over
            }
        });
        open.add(() -> reader.join(5000));
        open.add(wire);
        // Running (no -S): QEMU queues what a stopped machine's NICs send. No option ROM, so no PXE.
        QmpTestClient qemu = qemu(List.of("-M", "pc", "-accel", "tcg",
                "-netdev", "socket,id=n0,udp=127.0.0.1:" + port + ",localaddr=127.0.0.1:0",
                "-device", "e1000,netdev=n0,id=n1,mac=52:54:00:12:34:56,romfile="));
        add(Section.NETDEV, "inject,id=w1");
        add(Section.DEVICE, "nic-x,id=n1,netdev=w1,mac=52:54:00:12:34:56");

        String announce = "{\"execute\": \"announce-self\", \"arguments\": {\"initial\": 100, \"max\": 100,"
                + " \"rounds\": 2, \"step\": 0, \"interfaces\": [\"n1\"]}}";
        assertEquals(qemu.executeRaw(announce), patchbay.executeRaw(announce));
        Await.until(() -> datagrams.size() == 2 && wires.get("w1").count() == 2, Await.DEFAULT, "two rounds from both",
                () -> datagrams.size() + " from QEMU, " + wires.get("w1").count() + " from Patchbay");
        assertEquals(HexFormat.of().formatHex(datagrams.get(0)), HexFormat.of().formatHex(wires.get("w1").received().get(0)));
        assertEquals(NicCommandsTest.QEMU_RARP_525400123456, HexFormat.of().formatHex(datagrams.get(1)));

        for (String arguments : List.of("", "{}", "{\"initial\": 1, \"max\": 2, \"rounds\": 3}",
                "{\"initial\": \"1\", \"max\": 2, \"rounds\": 3, \"step\": 4}",
                "{\"initial\": 1.0, \"max\": 2, \"rounds\": 3, \"step\": 4}",
                "{\"initial\": 18446744073709551615, \"max\": 2, \"rounds\": 3, \"step\": 4}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 3, \"step\": 4, \"interfaces\": \"n1\"}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 3, \"step\": 4, \"interfaces\": [\"n1\", 7]}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 3, \"step\": 4, \"interfaces\": null}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 3, \"step\": 4, \"id\": 5}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 3, \"step\": 4, \"foo\": 5}",
                "{\"initial\": 1, \"max\": 2, \"rounds\": 0, \"step\": 4, \"interfaces\": []}")) {
            String request = "{\"execute\": \"announce-self\"" + (arguments.isEmpty() ? "" : ", \"arguments\": " + arguments) + "}";
            assertEquals(qemu.executeRaw(request), patchbay.executeRaw(request), request);
        }
        for (String line : List.of("help announce_self", "announce_self a b c", "announce_self nosuch")) {
            assertEquals(hmp(qemu, line), hmp(patchbay, line), line);
        }
        assertEquals(announceSchema(qemu), announceSchema(patchbay));
    }

    /** @return announce-self's members from query-qmp-schema, their types resolved to builtins */
    private static JsonNode announceSchema(QmpTestClient c) throws Exception {
        JsonNode schema = c.execute("{\"execute\": \"query-qmp-schema\"}").get("return");
        String arguments = null;
        for (JsonNode entry : schema) {
            if (entry.path("name").asText().equals("announce-self")) {
                arguments = entry.get("arg-type").asText();
            }
        }
        for (JsonNode entry : schema) {
            if (entry.path("name").asText().equals(arguments)) {
                return entry.get("members");
            }
        }
        throw new AssertionError("no announce-self in " + schema);
    }

    @Test
    void deviceDeletedNamesDevicesAsQemu() throws Exception {
        QmpTestClient qemu = qemu(List.of("-M", "pc", "-accel", "tcg", "-S", "-device", "qemu-xhci,id=usb",
                "-netdev", "hubport,id=h1,hubid=1", "-netdev", "hubport,id=h2,hubid=1", "-netdev", "hubport,id=h3,hubid=1"));
        add(Section.NETDEV, "hubport,id=h1,hubid=1");
        add(Section.NETDEV, "hubport,id=h2,hubid=1");
        add(Section.NETDEV, "hubport,id=h3,hubid=1");
        for (String request : List.of(
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"MODEL\", \"netdev\": \"h1\"}}",
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"MODEL\", \"netdev\": \"h9\"}}",
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"MODEL\", \"netdev\": \"h2\", \"x-foo\": 1}}",
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"MODEL\", \"netdev\": \"h2\"}}",
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"MODEL\", \"netdev\": \"h3\", \"id\": \"u1\"}}",
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"MODEL.0\"}}",
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[1]\"}}",
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"u1\"}}",
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[3]\"}}",
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"/machine/peripheral-anon/device[0]\"}}")) {
            assertEquals(qemu.executeRaw(request.replace("MODEL", "usb-net")).replace("usb-net", "nic-x"),
                    patchbay.executeRaw(request.replace("MODEL", "nic-x")), request);
        }
        for (String path : List.of("/machine/peripheral/u1", "/machine/peripheral-anon/device[3]",
                "/machine/peripheral-anon/device[0]")) {
            assertEquals(afterTimestamp(qemu.nextEventRaw()), afterTimestamp(patchbay.nextEventRaw()), path);
        }
    }

    private static String afterTimestamp(String event) {
        return event.substring(event.indexOf("\"event\""));
    }

    /**
     * QEMU's virtio-net raises NIC_RX_FILTER_CHANGED when its driver changes the receive mode; with
     * no guest, this test is the driver: a legacy virtio-net-pci's control queue is laid out in
     * memory by QEMU's loader device, and HMP's port I/O sets the device up and kicks the queue,
     * which holds two changes: promiscuous mode off, then on again (one event: the second is
     * held back until a query). Patchbay's NIC is the device itself, so QEMU's path is compared
     * without virtio-net's inner {@code /virtio-backend}.
     */
    @Test
    void rxFilterEventNamesTheDeviceAsVirtioNetDoes() throws Exception {
        Path memory = dir.resolve("ctrl-queues.bin");
        java.nio.file.Files.write(memory, controlQueues());
        QmpTestClient qemu = qemu(List.of("-M", "pc", "-accel", "tcg", "-S",
                "-netdev", "hubport,id=h1,hubid=1", "-netdev", "hubport,id=h2,hubid=1",
                "-device", "virtio-net-pci,netdev=h1,id=v0,addr=5,disable-modern=on,romfile=",
                "-device", "virtio-net-pci,netdev=h2,addr=6,disable-modern=on,romfile=",
                "-device", "loader,file=" + memory + ",addr=0x" + Long.toHexString(QUEUES) + ",force-raw=on"));
        for (int slot : new int[] {5, 6}) {
            kickControlQueue(qemu, slot);
        }
        add(Section.NETDEV, "hubport,id=h1,hubid=1");
        add(Section.NETDEV, "hubport,id=h2,hubid=1");
        add(Section.DEVICE, "nic-x,netdev=h1,id=v0");
        add(Section.DEVICE, "nic-x,netdev=h2");
        for (String nic : List.of("v0", runtime.client("h2").peer())) {
            NetClientContext context = nics.contexts.get(nic);
            context.loop().execute(() -> {
                context.rxFilterChanged();
                context.rxFilterChanged();
            });
        }
        for (String device : List.of("v0", "anonymous")) {
            assertEquals(afterTimestamp(qemu.nextEventRaw()).replace("/virtio-backend", ""),
                    afterTimestamp(patchbay.nextEventRaw()), device);
        }
        qemu.assertNoEvent();
        patchbay.assertNoEvent();
    }

    /** Where the control queues and their buffers are in the machine's memory (1 MiB up). */
    private static final long QUEUES = 0x100000;
    /** QEMU's virtio-net control queue size. */
    private static final int QUEUE_SIZE = 64;
    /** The legacy virtio I/O BAR each device is given: 0xc000 + slot * 0x100. */
    private static final int IO_BASE = 0xc000;

    /**
     * Per device (slot 5 at {@link #QUEUES}, slot 6 64 KiB above), a legacy split ring with two
     * VIRTIO_NET_CTRL_RX_PROMISC commands in its available ring, and their buffers a page on.
     */
    private static byte[] controlQueues() {
        ByteBuffer m = ByteBuffer.allocate(0x20000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int d = 0; d < 2; d++) {
            int ring = d * 0x10000;
            long buffers = QUEUES + ring + 0x8000;
            for (int command = 0; command < 2; command++) {
                long at = buffers + command * 0x10;
                int first = command * 3;
                // header {class RX, command PROMISC}, the on/off byte, the status the device writes
                m.putLong(ring + first * 16, at).putInt(ring + first * 16 + 8, 2).putShort(ring + first * 16 + 12, (short) 1)
                        .putShort(ring + first * 16 + 14, (short) (first + 1));
                m.putLong(ring + (first + 1) * 16, at + 4).putInt(ring + (first + 1) * 16 + 8, 1)
                        .putShort(ring + (first + 1) * 16 + 12, (short) 1).putShort(ring + (first + 1) * 16 + 14, (short) (first + 2));
                m.putLong(ring + (first + 2) * 16, at + 8).putInt(ring + (first + 2) * 16 + 8, 1)
                        .putShort(ring + (first + 2) * 16 + 12, (short) 2);
                m.put((int) (at - QUEUES) + 4, (byte) command); // off, then on
                m.putShort(ring + QUEUE_SIZE * 16 + 4 + command * 2, (short) first);
            }
            m.putShort(ring + QUEUE_SIZE * 16 + 2, (short) 2); // available index: both commands
        }
        return m.array();
    }

    /** Sets a legacy virtio-net-pci in {@code slot} up as its driver would, and kicks its control queue. */
    private static void kickControlQueue(QmpTestClient qemu, int slot) throws Exception {
        int config = 0x80000000 | slot << 11;
        int io = IO_BASE + slot * 0x100;
        for (String line : List.of(
                "o /w 0xcf8 0x" + Integer.toHexString(config | 0x10), "o /w 0xcfc 0x" + Integer.toHexString(io),
                "o /w 0xcf8 0x" + Integer.toHexString(config | 0x04), "o /h 0xcfc 0x5",
                "o /b 0x" + Integer.toHexString(io + 0x12) + " 0x3", // acknowledge, driver
                "o /w 0x" + Integer.toHexString(io + 0x04) + " 0x60000", // CTRL_VQ, CTRL_RX
                "o /h 0x" + Integer.toHexString(io + 0x0e) + " 2", // the control queue
                "o /w 0x" + Integer.toHexString(io + 0x08) + " 0x"
                        + Long.toHexString((QUEUES + (slot - 5) * 0x10000L) >> 12), // its ring's page
                "o /b 0x" + Integer.toHexString(io + 0x12) + " 0x7", // driver ok
                "o /h 0x" + Integer.toHexString(io + 0x10) + " 2")) { // kick
            assertEquals("", hmp(qemu, line), line);
        }
    }

    @Test
    void infoNetworkPrintsNicsAsQemu() throws Exception {
        // QEMU makes every -netdev, then -nic, then -net, then -device: Patchbay is given them in that order.
        QmpTestClient qemu = qemu(List.of("-M", "pc", "-accel", "tcg", "-S",
                "-netdev", "hubport,id=h1,hubid=1", "-device", "e1000,netdev=h1,id=d1,mac=52:54:00:00:00:01,romfile=",
                "-netdev", "hubport,id=h2,hubid=1", "-netdev", "hubport,id=h3,hubid=3",
                "-device", "e1000,netdev=h3,mac=52:54:00:00:00:04,romfile=",
                "-nic", "hubport,hubid=2,model=e1000,mac=52:54:00:00:00:02",
                "-net", "nic,model=e1000,macaddr=52:54:00:00:00:03", "-netdev", "hubport,id=h4,hubid=4"));
        add(Section.NETDEV, "hubport,id=h1,hubid=1");
        add(Section.NETDEV, "hubport,id=h2,hubid=1");
        add(Section.NETDEV, "hubport,id=h3,hubid=3");
        add(Section.NETDEV, "hubport,id=h4,hubid=4");
        add(Section.NIC, "hubport,hubid=2,model=nic-x,mac=52:54:00:00:00:02");
        add(Section.NET, "nic,model=nic-x,macaddr=52:54:00:00:00:03");
        add(Section.DEVICE, "nic-x,netdev=h1,id=d1,mac=52:54:00:00:00:01");
        add(Section.DEVICE, "nic-x,netdev=h3,mac=52:54:00:00:00:04");
        String theirs = hmp(qemu, "info network").replace("e1000", "nic-x").replaceAll("#net[0-9]+", "#net");
        String ours = hmp(patchbay, "info network").replaceAll("#net[0-9]+", "#net");
        assertTrue(theirs.contains("#net: nic-x.0"), theirs);
        assertEquals(theirs, ours);
    }
}
