package net.backend.l2tpv3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import net.api.SendResult;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import net.testlib.KernelTest;
import net.testlib.Pcap;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Patchbay's l2tpv3 netdevs against QEMU 7.2's, in UDP and IP mode, IPv4 and IPv6, with 64-bit
 * cookies (different each way) and the counter on. A PXE-booting VM's l2tpv3 netdev ends at
 * Patchbay netdev {@code a} on hub 1; the hub also holds a sink and netdev {@code b}, whose other
 * end is a QEMU recorder's l2tpv3 netdev under {@code filter-dump}. The VM's DHCPDISCOVER must
 * reach the sink and the recorder, and frames the sink sends must be in the recorder's pcap byte
 * for byte.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
@QemuTest
class L2tpv3QemuInteropTest {

    private static final Duration DHCP_ARRIVES = Duration.ofSeconds(20);
    private static final Duration QEMU_READY = Duration.ofSeconds(10);

    /** Addresses per mode: Patchbay's, the VM's, the recorder's (distinct on IPv4 so raw sockets stay apart). */
    enum Mode {
        UDP4(true, false, "127.0.0.1", "127.0.0.1", "127.0.0.1"),
        UDP6(true, true, "::1", "::1", "::1"),
        IP4(false, false, "127.0.0.1", "127.0.0.3", "127.0.0.4"),
        IP6(false, true, "::1", "::1", "::1");

        final boolean udp;
        final boolean ipv6;
        final String patchbay;
        final String vm;
        final String recorder;

        Mode(boolean udp, boolean ipv6, String patchbay, String vm, String recorder) {
            this.udp = udp;
            this.ipv6 = ipv6;
            this.patchbay = patchbay;
            this.vm = vm;
            this.recorder = recorder;
        }
    }

    @TempDir
    Path dir;
    private Fixture fx;
    private final List<Program> vms = new ArrayList<>();

    @BeforeAll
    static void needQemu() {
        Installed.require(Qemu.BINARY);
    }

    @BeforeEach
    void start() {
        fx = new Fixture();
    }

    @AfterEach
    void stop() {
        try {
            vms.forEach(Program::close);
        } finally {
            fx.close();
        }
    }

    /**
     * One end's options: its addresses and ports, sessions and cookies, counter on.
     *
     * @return options without {@code id}
     */
    static String end(Mode mode, String self, int selfPort, String peer, int peerPort, int tx, int rx, long txCookie,
            long rxCookie) {
        String o = "l2tpv3,src=" + self + ",dst=" + peer + (mode.ipv6 ? ",ipv6=on" : "")
                + ",txsession=" + Integer.toUnsignedString(tx) + ",rxsession=" + Integer.toUnsignedString(rx)
                + ",cookie64=on,txcookie=0x" + Long.toHexString(txCookie) + ",rxcookie=0x"
                + Long.toHexString(rxCookie) + ",counter=on";
        return mode.udp ? o + ",udp=on,srcport=" + selfPort + ",dstport=" + peerPort : o;
    }

    /** IP mode: Patchbay's and QEMU's raw protocol-115 sockets, which only root may open. */
    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"IP4", "IP6"})
    @KernelTest
    void qemuDhcpCrossesPatchbayAndPatchbayFramesReachQemuOverIp(Mode mode) throws Exception {
        qemuDhcpCrossesPatchbayAndPatchbayFramesReachQemu(mode);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"UDP4", "UDP6"})
    void qemuDhcpCrossesPatchbayAndPatchbayFramesReachQemu(Mode mode) throws Exception {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int s = random.nextInt(1 << 20, 1 << 30); // sessions s..s+3, distinct per test
        long cookie = random.nextLong();
        int[] ports = {freePort(mode), freePort(mode), freePort(mode), freePort(mode)};

        Path pcap = dir.resolve("recorder.pcap");
        Program recorder = Qemu.recorder(dir, "recorder",
                end(mode, mode.recorder, ports[3], mode.patchbay, ports[2], s + 3, s + 2, cookie + 3, cookie + 2), pcap);
        vms.add(recorder);
        Await.until(() -> Pcap.started(pcap), QEMU_READY, "the recorder", recorder::describe);

        fx.netdev(end(mode, mode.patchbay, ports[0], mode.vm, ports[1], s, s + 1, cookie, cookie + 1).replaceFirst(
                "l2tpv3,", "l2tpv3,id=a,"));
        fx.netdev(end(mode, mode.patchbay, ports[2], mode.recorder, ports[3], s + 2, s + 3, cookie + 2, cookie + 3)
                .replaceFirst("l2tpv3,", "l2tpv3,id=b,"));
        fx.netdev(InjectDriver.TYPE + ",id=s0");
        fx.hub(1, "a", "b", "s0");

        // Frames from Patchbay: an ARP-sized one and a full 1514-byte one (QEMU reads at most 2048
        // bytes). One at a time: QEMU's l2tpv3 hands the ne2k recorder one frame per socket wake-up.
        List<byte[]> injected = List.of(frame(0x41, 60), frame(0x42, 1514));
        for (int i = 0; i < injected.size(); i++) {
            assertEquals(List.of(SendResult.SENT), fx.inject.get("s0").send(List.of(injected.get(i))));
            int recorded = i + 1;
            try {
                Await.until(() -> Pcap.frames(pcap).size() >= recorded, QEMU_READY, "frame " + recorded
                        + " at the recorder");
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; b: " + fx.client("b").counters() + "; recorder: "
                        + recorder.describe(), e);
            }
            assertArrayEquals(injected.get(i), Pcap.frames(pcap).get(i), "frame " + recorded + " byte for byte");
        }

        Program vm = Qemu.pxeSource(dir, "pxe",
                end(mode, mode.vm, ports[1], mode.patchbay, ports[0], s + 1, s, cookie + 1, cookie));
        vms.add(vm);
        InjectDriver.Inject sink = fx.inject.get("s0");
        Await.until(() -> sink.received().stream().anyMatch(Frames::isSourceDhcpDiscover), DHCP_ARRIVES,
                "the VM's DHCPDISCOVER in Patchbay", vm::describe);
        byte[] discover = sink.received().stream().filter(Frames::isSourceDhcpDiscover).findFirst().orElseThrow();
        Await.until(() -> Pcap.frames(pcap).stream().anyMatch(f -> java.util.Arrays.equals(f, discover)),
                QEMU_READY, "the DHCPDISCOVER at the recorder, byte for byte");
        assertEquals(0, fx.drops("a", "wrong-cookie") + fx.drops("a", "too-short") + fx.drops("a", "bad-counter"));
        assertTrue(fx.client("a").counters().rxFrames() >= 1);
    }

    static byte[] frame(int tag, int length) {
        byte[] f = new byte[length];
        byte[] head = java.util.HexFormat.of().parseHex("ffffffffffff02000000" + String.format("%04x", tag) + "88b5");
        System.arraycopy(head, 0, f, 0, head.length);
        for (int i = head.length; i < length; i++) {
            f[i] = (byte) (tag * 7 + i);
        }
        return f;
    }

    static int freePort(Mode mode) throws java.io.IOException {
        if (!mode.udp) {
            return 0;
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(
                InetAddress.ofLiteral(mode.ipv6 ? "::1" : "127.0.0.1"), 0))) {
            return socket.getLocalPort();
        }
    }
}
