package net.backend.vde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Patchbay's {@code vde} netdev and QEMU 7.2's on one real vde_switch. Patchbay's netdev {@code v}
 * is on hub 1 with the inject netdev {@code s0}; a QEMU recorder ({@code -netdev vde} under
 * {@code filter-dump}) and PXE-booting VMs ({@code -netdev vde}) plug into the switch.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@QemuTest
class VdeQemuInteropTest {

    private static final Duration DHCP_ARRIVES = Duration.ofSeconds(30);
    private static final Duration QEMU_READY = Duration.ofSeconds(10);

    @TempDir
    Path work;
    private Fixture fx;
    private VdeSwitch sw;
    private final List<Program> vms = new ArrayList<>();

    @BeforeAll
    static void needPeers() {
        Installed.require(Qemu.BINARY);
        Installed.require(VdeSwitch.BINARY);
    }

    @BeforeEach
    void start() throws Exception {
        fx = new Fixture();
        sw = VdeSwitch.start(work, work.resolve("sw"));
        fx.netdev("vde,id=v,sock=" + sw.dir());
        fx.netdev(InjectDriver.TYPE + ",id=s0");
        fx.hub(1, "v", "s0");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            vms.forEach(Program::close);
            fx.close();
        } finally {
            sw.close();
        }
    }

    /** Both ways: Patchbay's broadcast reaches QEMU's vde netdev, and a QEMU VM's DHCPDISCOVER crosses the hub. */
    @Test
    void patchbayAndQemuSeeEachOthersBroadcastOnTheSwitch() throws Exception {
        Path pcap = work.resolve("recorder.pcap");
        Program recorder = Qemu.recorder(work, "recorder", "vde,sock=" + sw.dir(), pcap);
        vms.add(recorder);
        Await.until(() -> Pcap.started(pcap), QEMU_READY, "the recorder", recorder::describe);

        byte[] broadcast = Frames.testFrame(1, 1514);
        System.arraycopy(new byte[] {-1, -1, -1, -1, -1, -1}, 0, broadcast, 0, 6);
        assertEquals(List.of(SendResult.SENT), fx.inject.get("s0").send(List.of(broadcast)));
        Await.until(() -> Pcap.frames(pcap).stream().anyMatch(f -> Arrays.equals(f, broadcast)), QEMU_READY,
                "Patchbay's broadcast at QEMU's vde netdev", recorder::describe);

        byte[] discover = awaitDiscover(Qemu.pxeSource(work, "pxe", "vde,sock=" + sw.dir()));
        Await.until(() -> Pcap.frames(pcap).stream().anyMatch(f -> Arrays.equals(f, discover)), QEMU_READY,
                "the same DHCPDISCOVER at the recorder");
        assertEquals(0, fx.drops("v", VdeBackend.NO_SWITCH));
    }

    /** The switch dies under a VM's traffic and comes back: a VM booted afterwards has its DHCP cross the hub. */
    @Test
    void afterTheSwitchIsKilledAndRestartedANewVmsDhcpCrossesTheHub() throws Exception {
        Program first = Qemu.pxeSource(work, "pxe1", "vde,sock=" + sw.dir());
        awaitDiscover(first);
        sw.kill();
        first.close();
        Await.until(() -> {
            fx.inject.get("s0").send(List.of(Frames.testFrame(7, 60)));
            return fx.drops("v", VdeBackend.NO_SWITCH) >= 1;
        }, QEMU_READY, "frames for the dead switch counted");

        sw.restart(work);
        Await.until(() -> fx.counter("v", VdeBackend.REJOINS) >= 1, Duration.ofSeconds(60), "v rejoined");
        int before = fx.inject.get("s0").count();
        awaitDiscover(Qemu.pxeSource(work, "pxe2", "vde,sock=" + sw.dir()), before);
    }

    private byte[] awaitDiscover(Program vm) throws Exception {
        return awaitDiscover(vm, 0);
    }

    /** @return the first DHCPDISCOVER the sink received after its first {@code skip} frames */
    private byte[] awaitDiscover(Program vm, int skip) throws Exception {
        vms.add(vm);
        InjectDriver.Inject sink = fx.inject.get("s0");
        Await.until(() -> sink.received().stream().skip(skip).anyMatch(Frames::isSourceDhcpDiscover), DHCP_ARRIVES,
                "the VM's DHCPDISCOVER in Patchbay's hub", vm::describe);
        return sink.received().stream().skip(skip).filter(Frames::isSourceDhcpDiscover).findFirst().orElseThrow();
    }
}
