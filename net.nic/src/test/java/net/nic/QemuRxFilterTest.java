package net.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.qmp.server.QmpServer;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Installed;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code query-rx-filter} of a {@code sink} against a real QEMU 7.2's virtio-net, over QMP, byte
 * for byte: the same members, types, order and values, with the same names on both sides (NIC
 * {@code v0} on netdev {@code n0}, each the first NIC so both get 52:54:00:12:34:56). One value
 * differs by state: the virtio-net has no guest driver, so it is in its reset state, which is
 * promiscuous; a sink is a NIC whose driver turned that off.
 */
@QemuTest
@Timeout(120)
class QemuRxFilterTest {

    @TempDir
    Path dir;
    @AutoClose
    private final Cleanup cleanup = new Cleanup();

    @Test
    void aSinkReportsItsFilterAsVirtioNetDoes() throws Exception {
        Installed.require(Qemu.BINARY);
        Path qemuSocket = dir.resolve("qemu-qmp.sock");
        Program qemu = Qemu.start(dir, "virtio-net", List.of("-M", "pc", "-accel", "tcg", "-nodefaults",
                "-display", "none", "-S", "-netdev", "socket,id=n0,listen=127.0.0.1:0",
                "-device", "virtio-net-pci,netdev=n0,id=v0", "-qmp", "unix:" + qemuSocket + ",server=on,wait=off"));
        cleanup.add(qemu);
        Await.until(() -> Ports.unixListening(qemuSocket) || !qemu.isAlive(), Duration.ofSeconds(30),
                "QEMU's QMP socket", qemu::describe);
        QmpUnixClient theirs = new QmpUnixClient(qemuSocket);
        cleanup.add(theirs);

        TestRuntime rt = new TestRuntime(1).nicModel(SinkModel.MODEL, new SinkModel(new MacTable()));
        cleanup.add(rt);
        QmpServer server = new QmpServer(rt.runtime, "patchbay-test", () -> { }, System.getLogger("qmp-test"));
        cleanup.add(server::close);
        Path ourSocket = dir.resolve("patchbay-qmp.sock");
        server.listen("unix:" + ourSocket + ",server=on,wait=off");
        QmpUnixClient ours = new QmpUnixClient(ourSocket);
        cleanup.add(ours);
        assertEquals("{\"return\": {}}", ours.execute(
                "{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"n0\", \"hubid\": 0}}"));
        assertEquals("{\"return\": {}}", ours.execute(
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"sink\", \"netdev\": \"n0\", \"id\": \"v0\"}}"));

        for (String request : List.of("{\"execute\": \"query-rx-filter\"}",
                "{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"v0\"}}",
                "{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"n0\"}}",
                "{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"nosuch\"}}")) {
            String expected = theirs.execute(request);
            String reset = "{\"promiscuous\": true, \"name\": \"v0\", ";
            if (expected.contains("\"return\"")) {
                assertTrue(expected.contains(reset), "virtio-net without a driver is promiscuous: " + expected);
                expected = expected.replace(reset, "{\"promiscuous\": false, \"name\": \"v0\", ");
            }
            assertEquals(expected, ours.execute(request), request);
        }
    }
}
