package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.Descriptors;
import net.testlib.InjectDriver;
import net.testlib.Pcap;
import net.testlib.Ports;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PXE-booting QEMU 7.2 guest attached over vhost-user to Patchbay's {@code vhost-user-backend}
 * netdev {@code v1}, which is on hub 1 with the inject sink {@code s0} and a {@code user} netdev
 * (slirp's DHCP server): the guest's DHCPDISCOVER crosses the hub, slirp's offer goes into the
 * guest's receive ring, and the guest's DHCPREQUEST proves it read it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@QemuTest
class BackendQemuTest {

    private static final Duration BOOT = Duration.ofSeconds(60);
    private static final int DISCOVER = 1;
    private static final int REQUEST = 3;

    @TempDir
    Path dir;
    private Fixture fx;
    private Path socket;
    private Program guest;
    private Program recorder;

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture();
        socket = dir.resolve("vhost.sock");
        fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v1,chardev=c1");
        fx.netdev(InjectDriver.TYPE + ",id=s0");
        fx.netdev("user,id=u");
        fx.hub(1, "v1", "s0", "u");
        Await.until(() -> Ports.unixListening(socket), "Patchbay's vhost-user socket listening");
    }

    @AfterEach
    void stop() {
        for (Program p : new Program[] {guest, recorder}) {
            if (p != null) {
                p.close();
            }
        }
        fx.close();
    }

    /**
     * Both ways through the rings: the guest's DHCP crosses the hub into QEMU's recorder, slirp's
     * offer reaches the guest.
     */
    @Test
    void aGuestsDhcpCrossesTheHubAndTheOfferReachesTheGuest() throws Exception {
        int port = Ports.freeTcpPort();
        fx.netdev("socket,id=r,listen=127.0.0.1:" + port);
        fx.hub(1, "r");
        Path pcap = dir.resolve("recorder.pcap");
        recorder = Qemu.recorder(dir, "socket,connect=127.0.0.1:" + port, pcap);
        Await.until(() -> Pcap.started(pcap), Duration.ofSeconds(20), "the recorder", recorder::describe);

        guest = Guest.start(dir, "guest", socket, dir.resolve("qmp.sock"));
        byte[] discover = awaitDhcp(DISCOVER, 0);
        Await.until(() -> Pcap.frames(pcap).stream().anyMatch(f -> Arrays.equals(f, discover)), Duration.ofSeconds(20),
                "the guest's DHCPDISCOVER at QEMU's recorder", recorder::describe);
        awaitDhcp(REQUEST, 0);
        assertEquals("vhost-user-backend0 to c1", fx.info("v1"));
        assertNothingRefused("v1");
    }

    /**
     * A legacy virtio NIC without mergeable buffers: 10-byte headers, one chain per frame (iPXE
     * posts buffers big enough for any frame).
     */
    @Test
    void aLegacyNicWithoutMergeableBuffersWorks() throws Exception {
        guest = Guest.start(dir, "guest", socket, dir.resolve("qmp.sock"), ",disable-modern=on,mrg_rxbuf=off");
        awaitDhcp(REQUEST, 0);
        assertNothingRefused("v1");
        assertEquals(0, fx.drops("v1", "rx-buffer-too-small"));
    }

    /** A multiqueue NIC (GET_QUEUE_NUM, rings enabled one by one): iPXE uses the first pair. */
    @Test
    void aMultiqueueGuestWorksOnItsFirstPair() throws Exception {
        Path socket2 = dir.resolve("vhost2.sock");
        fx.chardev("socket,id=c2,path=" + socket2 + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v2,chardev=c2,queues=4");
        fx.hub(1, "v2");
        Await.until(() -> Ports.unixListening(socket2), "the second socket listening");
        guest = Guest.start(dir, "guest", socket2, dir.resolve("qmp.sock"), 2);
        awaitDhcp(REQUEST, 0);
        assertNothingRefused("v2");
    }

    /** Patchbay as the socket's client, QEMU serving it: a new QEMU on the socket is reconnected to. */
    @Test
    void aClientChardevReachesAGuestThatServesTheSocketAndReconnects() throws Exception {
        Path served = dir.resolve("served.sock");
        guest = Guest.serving(dir, "guest", served, dir.resolve("qmp.sock"));
        Await.until(() -> Ports.unixListening(served) || !guest.isAlive(), Duration.ofSeconds(20), "QEMU's socket",
                guest::describe);
        fx.chardev("socket,id=c3,path=" + served + ",reconnect=1");
        fx.netdev("vhost-user-backend,id=v3,chardev=c3");
        fx.hub(1, "v3");
        awaitDhcp(REQUEST, 0);

        guest.process().destroyForcibly();
        guest.process().waitFor(10, TimeUnit.SECONDS);
        int mark = fx.inject.get("s0").count();
        guest = Guest.serving(dir, "guest2", served, dir.resolve("qmp2.sock"));
        awaitDhcp(REQUEST, mark);
        assertTrue(fx.counter("v3", "connect") >= 2, "connected twice");
        assertNothingRefused("v3");
    }

    private void assertNothingRefused(String id) throws Exception {
        for (Refusal r : Refusal.values()) {
            assertEquals(0, fx.drops(id, r.counter()), r.counter());
        }
        assertEquals(0, fx.counter(id, "protocol-error"));
        assertEquals(0, fx.counter(id, "refused-request"));
    }

    /** system_reset: QEMU stops the rings (GET_VRING_BASE), the rebooted guest sets them up again and DHCPs anew. */
    @Test
    void afterASystemResetTheGuestsRingsWorkAgain() throws Exception {
        Path qmp = dir.resolve("qmp.sock");
        guest = Guest.start(dir, "guest", socket, qmp);
        awaitDhcp(REQUEST, 0);
        InjectDriver.Inject sink = fx.inject.get("s0");
        Await.until(() -> Ports.unixListening(qmp), "the guest's QMP socket");
        int mark;
        try (QmpUnixClient client = new QmpUnixClient(qmp)) {
            client.execute("{\"execute\":\"qmp_capabilities\"}");
            mark = sink.count();
            client.execute("{\"execute\":\"system_reset\"}");
        }
        awaitDhcp(DISCOVER, mark);
        awaitDhcp(REQUEST, mark);
    }

    /** QEMU killed without a word: every mapping of its memory and every descriptor it passed is let go. */
    @Test
    void aKilledGuestLeavesNoMappingOrDescriptorBehind() throws Exception {
        int fds = Descriptors.openCount();
        long maps = memfdMappings();
        guest = Guest.start(dir, "guest", socket, dir.resolve("qmp.sock"));
        awaitDhcp(REQUEST, 0);
        assertTrue(memfdMappings() > maps, "the guest's memory is mapped");
        guest.process().destroyForcibly();
        guest.process().waitFor(10, TimeUnit.SECONDS);
        Await.until(() -> memfdMappings() == maps && Descriptors.openCount() <= fds, Duration.ofSeconds(10),
                "mappings and descriptors back to where they were",
                () -> "maps " + mappings() + " (was " + maps + "), fds " + openCount() + " (was " + fds + ")");

        // the socket takes the next guest
        guest = Guest.start(dir, "guest2", socket, dir.resolve("qmp2.sock"));
        awaitDhcp(REQUEST, fx.inject.get("s0").count());
    }

    private static long memfdMappings() throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains("/memfd:")).count();
        }
    }

    private static long mappings() {
        try {
            return memfdMappings();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int openCount() {
        try {
            return Descriptors.openCount();
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return the first DHCP message of this type from the guest after the sink's first {@code skip} frames */
    private byte[] awaitDhcp(int type, int skip) throws Exception {
        InjectDriver.Inject sink = fx.inject.get("s0");
        Await.until(() -> sink.received().stream().skip(skip).anyMatch(f -> Guest.dhcpType(f) == type), BOOT,
                "the guest's DHCP message " + type + " in Patchbay's hub", () -> guest.describe());
        List<byte[]> frames = sink.received();
        return frames.stream().skip(skip).filter(f -> Guest.dhcpType(f) == type).findFirst().orElseThrow();
    }
}
