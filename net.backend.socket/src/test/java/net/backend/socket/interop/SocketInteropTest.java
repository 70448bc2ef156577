package net.backend.socket.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import net.api.NetException;
import net.api.SendResult;
import net.posix.FdChannel;
import net.posix.Libc;
import net.backend.socket.DgramDriver;
import net.backend.socket.SocketDriver;
import net.backend.socket.StreamDriver;
import net.testkit.TestRuntime;
import net.testlib.Await;
import net.testlib.Descriptors;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import net.testlib.Installed;
import net.testlib.Pcap;
import net.testlib.Ports;
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
 * Patchbay's socket and stream netdevs against real QEMU 7.2 on the wire, in both directions and in
 * every transport QEMU guests use: TCP (Patchbay listening and connecting), UDP unicast, UDP
 * multicast on the loopback interface, stream sockets on unix paths (Patchbay as server and as
 * client) and datagram sockets on unix paths.
 *
 * <ul>
 * <li><b>QEMU → Patchbay → QEMU</b>: a PXE-booting VM is a real traffic source; its netdev peers
 * with a Patchbay netdev {@code a} on hub 1; the hub also holds a Patchbay netdev {@code b} peered
 * with an independent QEMU recorder ({@code filter-dump}) and the test's own tap. The recorder's
 * pcap must hold the VM's DHCPDISCOVER, byte for byte as Patchbay received it.</li>
 * <li><b>Patchbay → QEMU</b>: the test injects known frames (a 9000-byte jumbo among them) into
 * hub 2, which forwards them to a Patchbay netdev peered with the recorder; the pcap must hold
 * exactly those frames, in order, after the readiness probes the test sent first.</li>
 * </ul>
 * Skipped only when {@code qemu-system-x86_64} is not installed. Every QEMU is killed after each
 * test, and every test is bounded.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@QemuTest
class SocketInteropTest {

    private static final String MCAST_GROUP = "230.0.0.1";
    private static final Duration QEMU_READY = Duration.ofSeconds(10);
    private static final Duration DHCP_ARRIVES = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private TestRuntime patchbay;
    private InjectDriver inject;
    private final List<Program> qemus = new ArrayList<>();
    private final List<String> patchbayNetdevs = new ArrayList<>();

    @BeforeAll
    static void needQemu() {
        Installed.require(Qemu.BINARY);
    }

    @BeforeEach
    void startRuntime() {
        patchbay = new TestRuntime(2).netdevType("socket", new SocketDriver())
                .netdevType("stream", new StreamDriver()).netdevType("dgram", new DgramDriver());
        inject = patchbay.inject;
    }

    @AfterEach
    void stopEverything() {
        try {
            for (Program qemu : qemus) {
                qemu.close();
            }
        } finally {
            qemus.clear();
            patchbay.close();
        }
    }

    // ---- QEMU → Patchbay → QEMU: a PXE VM's DHCPDISCOVER crosses Patchbay's hub ------------

    @Test
    void pxeVmConnectsToPatchbayListenAndReachesRecorderThroughHub() throws Exception {
        int p = Ports.freeTcpPort();
        int r = Ports.freeTcpPort();
        Path pcap = pxeThroughHub(
                new Side("socket,listen=127.0.0.1:" + p, "socket,connect=127.0.0.1:" + p, null, CONNECTION_FROM),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
        tsharkCrossCheck(pcap);
    }

    @Test
    void pxeVmListensAndPatchbayConnectsAndRecorderConnectsToPatchbayListen() throws Exception {
        int p = Ports.freeTcpPort();
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side("socket,connect=127.0.0.1:" + p, "socket,listen=127.0.0.1:" + p,
                        () -> Ports.tcpListening(p), connectTo(p)),
                new Side("socket,listen=127.0.0.1:" + r, "socket,connect=127.0.0.1:" + r, null, CONNECTION_FROM));
    }

    @Test
    void pxeVmOverUdpUnicast() throws Exception {
        int vm = Ports.freeUdpPort();
        int pb = Ports.freeUdpPort();
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side("socket,udp=127.0.0.1:" + vm + ",localaddr=127.0.0.1:" + pb,
                        "socket,udp=127.0.0.1:" + pb + ",localaddr=127.0.0.1:" + vm, null, udpTo(vm)),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
    }

    @Test
    void pxeVmOverMulticastOnLoopback() throws Exception {
        String group = MCAST_GROUP + ":" + Ports.freeUdpPort();
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side("socket,mcast=" + group + ",localaddr=127.0.0.1",
                        "socket,mcast=" + group + ",localaddr=127.0.0.1", null, mcast(group)),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
    }

    @Test
    void pxeVmStreamClientOnUnixPathToPatchbayStreamServer() throws Exception {
        Path sock = dir.resolve("a.sock");
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side("stream,server=on,addr.type=unix,addr.path=" + sock,
                        "stream,server=off,addr.type=unix,addr.path=" + sock, null, unix(sock)),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
    }

    @Test
    void pxeVmDgramOverUdpToPatchbayDgram() throws Exception {
        int vm = Ports.freeUdpPort();
        int pb = Ports.freeUdpPort();
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side(dgramInet(pb, vm), dgramInet(vm, pb), null, dgramInetInfo(pb, vm)),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
    }

    @Test
    void pxeVmDgramOnUnixPathsToPatchbayDgram() throws Exception {
        Path vm = dir.resolve("vm.dgram");
        Path pb = dir.resolve("pb.dgram");
        int r = Ports.freeTcpPort();
        pxeThroughHub(
                new Side(dgramUnix(pb, vm), dgramUnix(vm, pb), null, dgramUnixInfo(pb, vm)),
                new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r, () -> true, connectTo(r)));
    }

    // ---- Patchbay → QEMU: injected frames reach a QEMU recorder byte for byte, in order -----

    @Test
    void framesFromPatchbayConnectReachQemuListen() throws Exception {
        int r = Ports.freeTcpPort();
        injectIntoRecorder(new Side("socket,connect=127.0.0.1:" + r, "socket,listen=127.0.0.1:" + r,
                () -> true, connectTo(r)));
    }

    @Test
    void framesFromPatchbayListenReachQemuConnect() throws Exception {
        int r = Ports.freeTcpPort();
        injectIntoRecorder(new Side("socket,listen=127.0.0.1:" + r, "socket,connect=127.0.0.1:" + r,
                null, CONNECTION_FROM));
    }

    @Test
    void framesFromPatchbayReachQemuOverUdpUnicast() throws Exception {
        int pb = Ports.freeUdpPort();
        int rec = Ports.freeUdpPort();
        injectIntoRecorder(new Side("socket,udp=127.0.0.1:" + rec + ",localaddr=127.0.0.1:" + pb,
                "socket,udp=127.0.0.1:" + pb + ",localaddr=127.0.0.1:" + rec, () -> true, udpTo(rec)));
    }

    @Test
    void framesFromPatchbayReachQemuOverUdpUnicastInGsoRuns() throws Exception {
        // Patchbay sends runs of equal-size frames as UDP GSO messages; QEMU reads datagrams.
        List<byte[]> runs = new ArrayList<>();
        int[] sizes = {64, 64, 64, 64, 64, 60, 1514, 1514, 1514, 1514, 590, 42, 9000, 9000, 9000, 100, 100};
        for (int i = 0; i < sizes.length; i++) {
            runs.add(Frames.testFrame(i + 1, sizes[i]));
        }
        int pb = Ports.freeUdpPort();
        int rec = Ports.freeUdpPort();
        injectIntoRecorder(new Side("socket,udp=127.0.0.1:" + rec + ",localaddr=127.0.0.1:" + pb,
                "socket,udp=127.0.0.1:" + pb + ",localaddr=127.0.0.1:" + rec, () -> true, udpTo(rec)), runs);
    }

    @Test
    void framesFromPatchbayReachQemuOverMulticastOnLoopback() throws Exception {
        String group = MCAST_GROUP + ":" + Ports.freeUdpPort();
        injectIntoRecorder(new Side("socket,mcast=" + group + ",localaddr=127.0.0.1",
                "socket,mcast=" + group + ",localaddr=127.0.0.1", () -> true, mcast(group)));
    }

    @Test
    void framesFromPatchbayStreamClientReachQemuStreamServerOnUnixPath() throws Exception {
        Path sock = dir.resolve("rec.sock");
        injectIntoRecorder(new Side("stream,server=off,addr.type=unix,addr.path=" + sock,
                "stream,server=on,addr.type=unix,addr.path=" + sock, () -> Ports.unixListening(sock), unix(sock)));
    }

    @Test
    void framesFromPatchbayStreamServerReachQemuStreamClientOnUnixPath() throws Exception {
        Path sock = dir.resolve("pb.sock");
        injectIntoRecorder(new Side("stream,server=on,addr.type=unix,addr.path=" + sock,
                "stream,server=off,addr.type=unix,addr.path=" + sock, null, unix(sock)));
    }

    @Test
    void framesFromPatchbayReachQemuOverAnInheritedTcpConnection() throws Exception {
        int r = Ports.freeTcpPort();
        // Made outside the JDK and handed over by number, as a parent process does with socket,fd=N;
        // the test keeps a handle on the number to connect it, Patchbay takes the number over.
        FdChannel inherited = FdChannel.adopt(
                Descriptors.handOver(Libc.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0)));
        injectIntoRecorder(new Side("socket,fd=" + inherited.fd(), "socket,listen=127.0.0.1:" + r,
                () -> Ports.tcpListening(r) && connects(inherited, r), Pattern.quote("socket: fd=" + inherited.fd())));
    }

    @Test
    void framesFromPatchbayReachQemuOverDgramUdp() throws Exception {
        int pb = Ports.freeUdpPort();
        int rec = Ports.freeUdpPort();
        injectIntoRecorder(new Side(dgramInet(pb, rec), dgramInet(rec, pb), () -> true, dgramInetInfo(pb, rec)));
    }

    @Test
    void framesFromPatchbayReachQemuOverDgramOnUnixPaths() throws Exception {
        Path pb = dir.resolve("pb.dgram");
        Path rec = dir.resolve("rec.dgram");
        injectIntoRecorder(new Side(dgramUnix(pb, rec), dgramUnix(rec, pb), () -> true, dgramUnixInfo(pb, rec)));
    }

    // QEMU 7.2's info strings (from `info network` of QEMU 7.2 on this machine).
    private static final String CONNECTION_FROM = "socket: connection from 127\\.0\\.0\\.1:\\d+";

    private static String connectTo(int port) {
        return Pattern.quote("socket: connect to 127.0.0.1:" + port);
    }

    private static String udpTo(int port) {
        return Pattern.quote("socket: udp=127.0.0.1:" + port);
    }

    private static String mcast(String group) {
        return Pattern.quote("socket: mcast=" + group);
    }

    private static String unix(Path path) {
        return Pattern.quote("unix:" + path);
    }

    private static String dgramInet(int local, int remote) {
        return "dgram,local.type=inet,local.host=127.0.0.1,local.port=" + local
                + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + remote;
    }

    private static String dgramInetInfo(int local, int remote) {
        return Pattern.quote("udp=127.0.0.1:" + local + "/127.0.0.1:" + remote);
    }

    private static String dgramUnixInfo(Path local, Path remote) {
        return Pattern.quote("udp=" + local + ":" + remote);
    }

    private static String dgramUnix(Path local, Path remote) {
        return "dgram,local.type=unix,local.path=" + local + ",remote.type=unix,remote.path=" + remote;
    }

    // ---- the scenarios ------------------------------------------------------------------------

    /**
     * One link between a Patchbay netdev and a QEMU netdev.
     *
     * @param patchbay Patchbay's netdev options without the id
     * @param qemu     QEMU's netdev options without the id
     * @param qemuReady null when Patchbay's side must be open before QEMU starts (QEMU connects or
     *                  sends to it); otherwise QEMU starts first and this says when QEMU's side is
     *                  ready for Patchbay's
     * @param info      a regular expression for Patchbay's info string once frames flow: the text
     *                  QEMU 7.2's {@code info network} shows for the same netdev in that state
     */
    /** Connects a descriptor of our own to QEMU's listening port; true once the connection is up. */
    private static boolean connects(FdChannel socket, int port) throws Exception {
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        Instant deadline = Instant.now().plusSeconds(5);
        while (socket.remoteAddress() == null) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    record Side(String patchbay, String qemu, Await.Condition qemuReady, String info) {
        boolean qemuFirst() {
            return qemuReady != null;
        }
    }

    /**
     * PXE VM ↔ Patchbay {@code a} — hub 1 (with the test's tap) — Patchbay {@code b} ↔ recorder.
     * Listeners start first: the recorder, then Patchbay, then the VM, unless a side says QEMU
     * listens there.
     *
     * @return the recorder's pcap
     */
    private Path pxeThroughHub(Side source, Side recorderLink) throws Exception {
        Path pcap = dir.resolve("recorder.pcap");
        if (recorderLink.qemuFirst()) {
            startRecorder(recorderLink.qemu(), pcap);
            await("the recorder's netdev is ready for Patchbay", QEMU_READY, recorderLink.qemuReady());
        }
        if (source.qemuFirst()) {
            qemus.add(Qemu.pxeSource(dir, source.qemu()));
            await("the PXE VM's netdev is ready for Patchbay", QEMU_READY, source.qemuReady());
        }
        patchbay("a", source.patchbay());
        patchbay("b", recorderLink.patchbay());
        patchbay("tap", InjectDriver.TYPE);
        for (String id : List.of("a", "b", "tap")) {
            netdev("hubport,id=h1-" + id + ",hubid=1,netdev=" + id);
        }
        if (!recorderLink.qemuFirst()) {
            startRecorder(recorderLink.qemu(), pcap);
        }
        if (!source.qemuFirst()) {
            qemus.add(Qemu.pxeSource(dir, source.qemu()));
        }

        await("the recorder's pcap holds a DHCPDISCOVER from " + Qemu.SOURCE_MAC, DHCP_ARRIVES,
                () -> Pcap.frames(pcap).stream().anyMatch(Frames::isSourceDhcpDiscover));

        List<Pcap.Record> recorded = Pcap.read(pcap);
        Pcap.Record dhcp = recorded.stream().filter(rec -> Frames.isSourceDhcpDiscover(rec.data())).findFirst().orElseThrow();
        assertEquals(Frames.DHCP_DISCOVER_LENGTH, dhcp.originalLength(),
                "the DHCPDISCOVER's length on the recorder's wire; " + Frames.describe(dhcp.data()));
        assertTrue(dhcp.complete(), "the recorder stored the whole DHCPDISCOVER");

        // Everything the recorder got came through Patchbay's hub, which also gave the tap a copy:
        // the recorder's frames are the tap's frames, byte for byte and in the same order.
        List<byte[]> atRecorder = recorded.stream().map(Pcap.Record::data).toList();
        InjectDriver.Inject tap = inject.get("tap");
        await("every frame the recorder holds equals, in order, a frame Patchbay received from the VM",
                Duration.ofSeconds(5), () -> Frames.isSubsequence(atRecorder, tap.received()),
                () -> "recorder: " + Frames.describe(atRecorder) + "\ntap: " + Frames.describe(tap.received()));
        assertTrue(tap.received().stream().anyMatch(f -> Arrays.equals(f, dhcp.data())),
                "Patchbay received the DHCPDISCOVER the recorder holds");
        assertInfo("a", source.info());
        assertInfo("b", recorderLink.info());
        return pcap;
    }

    /**
     * The test's {@code inj} netdev and Patchbay {@code b} on hub 2; {@code b} ↔ recorder. Probes
     * go out until the recorder holds one (the link is up end to end), then the known frames.
     */
    private void injectIntoRecorder(Side recorderLink) throws Exception {
        injectIntoRecorder(recorderLink, List.of(
                Frames.testFrame(1, 60),
                Frames.testFrame(2, 42),
                Frames.testFrame(3, 1514),
                Frames.testFrame(4, 9000),
                Frames.testFrame(5, 64),
                Frames.testFrame(6, 1500),
                Frames.testFrame(7, 9000),
                Frames.testFrame(8, 590)));
    }

    private void injectIntoRecorder(Side recorderLink, List<byte[]> expected) throws Exception {
        Path pcap = dir.resolve("recorder.pcap");
        if (recorderLink.qemuFirst()) {
            startRecorder(recorderLink.qemu(), pcap);
            await("the recorder's netdev is ready for Patchbay", QEMU_READY, recorderLink.qemuReady());
        }
        patchbay("inj", InjectDriver.TYPE);
        patchbay("b", recorderLink.patchbay());
        netdev("hubport,id=h2-inj,hubid=2,netdev=inj");
        netdev("hubport,id=h2-b,hubid=2,netdev=b");
        if (!recorderLink.qemuFirst()) {
            startRecorder(recorderLink.qemu(), pcap);
        }
        InjectDriver.Inject inj = inject.get("inj");

        int[] probes = {0};
        await("a readiness probe sent through Patchbay reaches the recorder", Duration.ofSeconds(15), () -> {
            if (Pcap.frames(pcap).stream().anyMatch(Frames::isProbe)) {
                return true;
            }
            inj.send(List.of(Frames.probe(probes[0]++)));
            Thread.sleep(100); // a probe every 100 ms while the path comes up, not one per poll
            return false;
        });

        List<SendResult> results = inj.send(expected);
        for (int i = 0; i < results.size(); i++) {
            assertNotEquals(SendResult.DROPPED, results.get(i), "the hub took injected frame #" + i);
        }

        await("the recorder holds all " + expected.size() + " injected frames", Duration.ofSeconds(10),
                () -> Pcap.frames(pcap).stream().filter(f -> !Frames.isProbe(f)).count() >= expected.size());
        Thread.sleep(300); // anything extra (a duplicate, a stray frame) would show up by now

        List<Pcap.Record> recorded = Pcap.read(pcap);
        int firstData = 0;
        while (firstData < recorded.size() && Frames.isProbe(recorded.get(firstData).data())) {
            firstData++;
        }
        assertTrue(firstData > 0, "the pcap starts with the probes");
        List<Pcap.Record> data = recorded.subList(firstData, recorded.size());
        List<byte[]> got = data.stream().map(Pcap.Record::data).toList();
        String both = "\nsent: " + Frames.describe(expected) + "\nrecorded: " + Frames.describe(got);
        assertEquals(expected.size(), got.size(), "frames after the probes, exactly the injected ones" + both);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(Arrays.equals(expected.get(i), got.get(i)), "frame #" + i + " byte for byte" + both);
            assertEquals(expected.get(i).length, data.get(i).originalLength(), "frame #" + i + "'s length on the wire");
        }
        assertInfo("b", recorderLink.info());
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Patchbay's info string for the netdev, in the state QEMU would show it now. */
    private void assertInfo(String id, String regex) throws NetException {
        String info = patchbay.client(id).info();
        assertTrue(info != null && info.matches(regex),
                "netdev " + id + "'s info string as QEMU 7.2 shows it: expected /" + regex + "/, was '" + info + "'");
    }

    private void startRecorder(String netdevArgs, Path pcap) throws Exception {
        Program recorder = Qemu.recorder(dir, netdevArgs, pcap);
        qemus.add(recorder);
        await("the recorder has opened its netdev and its pcap", QEMU_READY, () -> Pcap.started(pcap));
    }

    private void patchbay(String id, String options) throws NetException {
        int comma = options.indexOf(',');
        String withId = comma < 0 ? options + ",id=" + id
                : options.substring(0, comma) + ",id=" + id + options.substring(comma);
        netdev(withId);
        patchbayNetdevs.add(id);
    }

    private void netdev(String options) throws NetException {
        patchbay.netdev(options);
    }

    private void await(String what, Duration timeout, Await.Condition condition) throws Exception {
        await(what, timeout, condition, () -> "");
    }

    private void await(String what, Duration timeout, Await.Condition condition, Supplier<String> detail)
            throws Exception {
        Await.until(condition, timeout, what, () -> detail.get() + "\n" + diagnostics());
    }

    /** QEMU's stderr and Patchbay's view of its netdevs, for failure messages. */
    private String diagnostics() {
        StringBuilder out = new StringBuilder();
        for (Program qemu : qemus) {
            out.append(qemu.describe()).append('\n');
        }
        for (String id : patchbayNetdevs) {
            try {
                out.append("patchbay ").append(patchbay.client(id)).append('\n');
            } catch (NetException | RuntimeException e) {
                out.append("patchbay ").append(id).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return out.toString();
    }

    /** tshark, an independent reader, must decode the recorder's file as DHCP from the VM. */
    private void tsharkCrossCheck(Path pcap) throws IOException, InterruptedException {
        Installed.require("tshark");
        Path out = dir.resolve("tshark.out");
        Process tshark = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", "dhcp", "-T", "fields", "-e", "eth.src")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!tshark.waitFor(15, TimeUnit.SECONDS)) {
            tshark.destroyForcibly();
            return; // a cross-check only: a slow tshark is no verdict on Patchbay
        }
        String text = java.nio.file.Files.readString(out, StandardCharsets.UTF_8);
        assertTrue(text.contains(Qemu.SOURCE_MAC), "tshark decodes DHCP from the VM in the recorder's pcap:\n" + text);
    }
}
