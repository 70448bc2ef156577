package net.driverkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetClient;
import net.api.SendResult;
import net.control.Section;
import net.posix.FdChannel;
import net.posix.Libc;
import net.posix.PosixException;
import net.testlib.Await;
import net.testlib.Frames;
import net.testlib.Warnings;
import net.testlib.InjectDriver.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PacketClient} in the real runtime, over real sockets: AF_UNIX socket pairs (which fill up
 * and report room as a tap does) and UDP on loopback. The peers are the test kit's inject NIC or
 * netdev, or another packet client.
 */
@Timeout(60)
class PacketClientTest {

    private final Rig rig = new Rig(1);
    private final Sockets sockets = rig.sockets;

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void framesCrossBothWaysOnePerPacket() throws Exception {
        FdChannel[] w = sockets.pair();
        Inject nic = netdevWithNic(new FdWire(w[0]));
        assertEquals("wire: test", rig.info("w"));
        List<byte[]> in = List.of(Frames.testFrame(1, 60), Frames.testFrame(2, 1514), Frames.testFrame(3, 65000));
        for (byte[] frame : in) {
            w[1].write(ByteBuffer.wrap(frame));
        }
        Await.until(() -> nic.count() == 3, "three frames at the NIC");
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(in.get(i), nic.received().get(i));
        }
        List<byte[]> out = List.of(Frames.testFrame(4, 9000), Frames.testFrame(5, 60));
        assertEquals(List.of(SendResult.SENT, SendResult.SENT), nic.send(out));
        assertArrayEquals(out.get(0), sockets.receive(w[1]));
        assertArrayEquals(out.get(1), sockets.receive(w[1]));
        assertEquals(0, drops("w") + drops("nic"));
    }

    /**
     * A socket pair takes datagrams until its unread bytes reach the send buffer; then the client
     * says RETRY_LATER, the runtime queues what follows, and once the test reads, write readiness
     * (or, for a wire whose readiness means nothing, a timer) lets the queue through in order.
     */
    @ParameterizedTest(name = "reportsRoom={0}")
    @ValueSource(booleans = {true, false})
    void aFullWireGivesRetryLaterAndTheFramesFollowInOrderOnceItDrains(boolean reportsRoom) throws Exception {
        FdChannel[] w = sockets.pair();
        w[0].setIntOption(Libc.SOL_SOCKET, Libc.SO_SNDBUF, 16384);
        Inject nic = netdevWithNic(new FdWire("w", w[0], null, reportsRoom, false, new CopyOnWriteArrayList<>()));
        int frames = 200;
        List<SendResult> results = nic.send(Frames.testFrames(0, frames, 1000));
        assertEquals(SendResult.SENT, results.get(0));
        assertTrue(results.contains(SendResult.QUEUED), "the socket filled up: " + results);
        assertFalse(results.contains(SendResult.DROPPED), results.toString());
        assertTrue(rig.client("w").counters().queued() > 0, "the runtime keeps what the socket did not take");
        for (int i = 0; i < frames; i++) {
            assertEquals(i, Sockets.seq(sockets.receive(w[1])), "frame order");
        }
        Await.until(() -> rig.client("w").counters().queued() == 0, "w's queue empty");
        assertEquals(frames, rig.client("w").counters().rxFrames());
        assertEquals(0, drops("w") + drops("nic"));
    }

    /**
     * A wire that gathers: the frames of one loop iteration leave together (a batch of 64 per
     * send, not one send per frame); what the socket refuses the wire keeps, the runtime queues
     * what follows, and once the test reads everything arrives in order, nothing dropped.
     */
    @Test
    void aGatheringWireSendsBatchesAndKeepsWhatTheSocketRefusesInOrder() throws Exception {
        FdChannel[] w = sockets.pair();
        w[0].setIntOption(Libc.SOL_SOCKET, Libc.SO_SNDBUF, 16384);
        BatchWire wire = new BatchWire(w[0]);
        Inject nic = netdevWithNic(wire);
        assertEquals(List.of(SendResult.SENT, SendResult.SENT, SendResult.SENT), nic.send(Frames.testFrames(0, 3, 100)));
        for (int i = 0; i < 3; i++) {
            assertEquals(i, Sockets.seq(sockets.receive(w[1])), "frame order");
        }
        assertEquals(1, wire.sends, "three frames of one iteration, one send");
        int frames = 300;
        List<SendResult> results = nic.send(Frames.testFrames(3, frames, 1000));
        assertTrue(results.contains(SendResult.QUEUED), "the socket filled up: " + results);
        assertFalse(results.contains(SendResult.DROPPED), results.toString());
        for (int i = 3; i < 3 + frames; i++) {
            assertEquals(i, Sockets.seq(sockets.receive(w[1])), "frame order");
        }
        Await.until(() -> rig.client("w").counters().queued() == 0, "w's queue empty");
        assertEquals(3 + frames, rig.client("w").counters().rxFrames());
        assertTrue(wire.sends < 3 + frames, "frames left in batches: " + wire.sends + " sends");
        assertEquals(0, drops("w") + drops("nic"));
    }

    /**
     * QEMU's read side: a frame the peer must queue stops reading until it has left the queue.
     * Here the peer is a second packet client, a NIC whose socket is full: {@code a} forwards one
     * frame, which waits at {@code b}, and reads nothing more although frames wait on its socket;
     * when the test drains {@code b}'s socket, everything follows in order.
     */
    @Test
    void aFrameThePeerQueuesPausesReadingUntilItHasLeftTheQueue() throws Exception {
        DatagramChannel a = sockets.udp();
        DatagramChannel aFar = sockets.udp();
        FdChannel[] b = sockets.pair();
        b[0].setIntOption(Libc.SOL_SOCKET, Libc.SO_SNDBUF, 16384);
        int filler = sockets.fill(b[0], 1000);
        rig.prepare("a", ctx -> PacketClient.start(ctx, new UdpWire(a, (InetSocketAddress) aFar.getLocalAddress()),
                NetClient.MAX_FRAME, "a"));
        rig.prepare("b", ctx -> PacketClient.start(ctx, new FdWire(b[0]), NetClient.MAX_FRAME, "b"));
        rig.netdev("wire,id=a");
        rig.add(Section.DEVICE, "wire,id=b,netdev=a");

        aFar.send(ByteBuffer.wrap(Frames.testFrame(0, 100)), a.getLocalAddress());
        Await.until(() -> rig.client("b").counters().queued() == 1, "the first frame queued at b");
        for (int i = 1; i < 10; i++) {
            aFar.send(ByteBuffer.wrap(Frames.testFrame(i, 100)), a.getLocalAddress());
        }
        rig.awaitLoopIteration("a");
        assertEquals(1, rig.client("b").counters().queued(), "a read nothing more while b held its frame");
        assertEquals(1, rig.client("a").counters().txFrames() + rig.client("b").counters().queued(),
                "a's first frame is the only one on its way");

        for (int i = 0; i < filler; i++) {
            assertEquals(1000, sockets.receive(b[1]).length);
        }
        List<byte[]> through = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            through.add(sockets.receive(b[1]));
        }
        assertEquals("[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", Sockets.seqs(through));
        assertEquals(0, drops("a") + drops("b"));
    }

    /**
     * Both wires of one client have datagrams waiting when it starts, and both are readable in
     * every loop iteration: each is read {@link PacketClient#READ_BUDGET} packets at a time, so
     * their frames reach the peer in runs of at most that length.
     */
    @Test
    void eachWireIsReadAtMostTheReadBudgetPerWakeUp() throws Exception {
        int perWire = 100;
        DatagramChannel sender = sockets.udp();
        List<UdpWire> wires = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            DatagramChannel channel = sockets.udp();
            wires.add(new UdpWire(channel, (InetSocketAddress) sender.getLocalAddress()));
            for (int i = 0; i < perWire; i++) {
                sender.send(ByteBuffer.wrap(Frames.testFrame(w * 1000 + i, 60)), channel.getLocalAddress());
            }
        }
        rig.add(Section.NET, "inject,vlan=1,id=sink");
        rig.prepare("w", ctx -> PacketClient.start(ctx, wires, 2048, "two wires"));
        rig.add(Section.NET, "wire,vlan=1,id=w");
        Inject sink = rig.inject.get("sink");
        Await.until(() -> sink.count() == 2 * perWire, Await.DEFAULT, "every frame at the sink",
                () -> Sockets.seqs(sink.received()));

        List<Integer> runs = new ArrayList<>();
        int[] next = {0, 0};
        int lastWire = -1;
        for (byte[] frame : sink.received()) {
            int seq = Sockets.seq(frame);
            int wire = seq / 1000;
            assertEquals(next[wire]++, seq % 1000, "order within a wire");
            if (wire == lastWire) {
                runs.set(runs.size() - 1, runs.getLast() + 1);
            } else {
                runs.add(1);
                lastWire = wire;
            }
        }
        assertEquals(PacketClient.READ_BUDGET, runs.stream().mapToInt(Integer::intValue).max().orElseThrow(),
                "runs " + runs);
        assertTrue(runs.size() >= 4, "the wires take turns: " + runs);
    }

    @Test
    void sendErrorsDropTheFrameAndAreCountedLoggingTheFirstOnly() throws Exception {
        FdChannel[] w = sockets.pair();
        Inject nic = netdevWithNic(new FdWire(w[0]));
        w[1].close(); // the other end is gone: every send fails
        try (Warnings warnings = new Warnings("netdev w")) {
            assertEquals(List.of(SendResult.DROPPED, SendResult.DROPPED, SendResult.DROPPED),
                    nic.send(Frames.testFrames(0, 3, 60)));
            assertEquals(3, rig.drops("w", "send-error"));
            assertEquals(List.of("send failed: Connection refused (further errors are only counted)"),
                    warnings.messages());
        }
    }

    /**
     * A connected UDP socket learns from ICMP that nobody listens at the far end, and its next
     * receive reports it: each failure is counted, the first logged.
     */
    @Test
    void receiveErrorsAreCountedLoggingTheFirstOnly() throws Exception {
        DatagramChannel closed = sockets.udp();
        InetSocketAddress nobody = (InetSocketAddress) closed.getLocalAddress();
        closed.close();
        DatagramChannel w = sockets.udp();
        w.connect(nobody);
        Inject nic = netdevWithNic(new UdpWire(w, null));
        try (Warnings warnings = new Warnings("netdev w")) {
            for (int i = 1; i <= 3; i++) {
                assertEquals(List.of(SendResult.SENT), nic.send(List.of(Frames.testFrame(i, 60))));
                rig.awaitCounter("w", "recv-error", i);
            }
            assertEquals(3, rig.counter("w", "recv-error"));
            assertEquals(List.of("receive failed: PortUnreachableException (further errors are only counted)"),
                    warnings.messages());
        }
    }

    /**
     * An unconnected stream socket is reported hung up, and every read of it fails: a wire that
     * says such failures are for good is no longer watched after the first, while one that says
     * they pass is read (and fails) in every iteration of the same loop.
     */
    @Test
    void aWireWhoseReadsFailForGoodIsNoLongerWatched() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        FdChannel dead = sockets.closeLater(FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0));
        FdChannel spinning = sockets.closeLater(FdChannel.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0));
        rig.prepare("dead", ctx -> PacketClient.start(ctx, new FdWire("dead", dead, null, true, true, calls),
                NetClient.MAX_FRAME, "dead"));
        rig.prepare("spinning", ctx -> PacketClient.start(ctx,
                new FdWire("spinning", spinning, null, true, false, calls), NetClient.MAX_FRAME, "spinning"));
        rig.netdev("wire,id=dead");
        rig.netdev("wire,id=spinning");
        try {
            rig.awaitCounter("spinning", "recv-error", 50);
            assertEquals(1, rig.counter("dead", "recv-error"), "read once, then no longer watched");
            assertTrue(calls.contains("cancel dead"), calls.toString());
            assertFalse(calls.contains("cancel spinning"), calls.toString());
        } finally {
            rig.runtime.netdevDel("spinning");
        }
    }

    @Test
    void closingStopsWatchingEveryWireBeforeClosingThemAndReleasesThemAfter() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        FdChannel[] first = sockets.pair();
        FdChannel[] second = sockets.pair();
        rig.prepare("w", ctx -> PacketClient.start(ctx, List.of(
                new FdWire("first", first[0], null, true, false, calls),
                new FdWire("second", second[0], null, true, false, calls)), NetClient.MAX_FRAME, "w"));
        rig.netdev("wire,id=w");
        assertEquals(List.of("register first", "register second"), calls);
        rig.runtime.netdevDel("w");
        assertEquals(List.of("register first", "register second", "cancel first", "cancel second", "close first",
                "close second", "release first", "release second"), calls);
        for (FdChannel far : new FdChannel[] {first[1], second[1]}) {
            assertEquals(Libc.ECONNREFUSED, assertThrows(PosixException.class,
                    () -> far.write(ByteBuffer.wrap(new byte[60]))).errno(), "the wire's end is closed");
        }
    }

    /** A regular file cannot be watched: the client does not start, and leaves the wires open and unwatched. */
    @Test
    void aWireThatCannotBeWatchedFailsTheStartAndLeavesEveryWireToTheCaller(@TempDir Path dir) throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        FdChannel[] first = sockets.pair();
        Path file = Files.createFile(dir.resolve("not-a-socket"));
        FdChannel notWatchable = sockets.closeLater(FdChannel.open(file.toString(), Libc.O_RDWR));
        rig.prepare("w", ctx -> PacketClient.start(ctx, List.of(
                new FdWire("first", first[0], null, true, false, calls),
                new FdWire("file", notWatchable, null, true, false, calls)), NetClient.MAX_FRAME, "w"));
        String error = rig.error("wire,id=w");
        assertTrue(error.startsWith("w: "), error);
        assertEquals(List.of("register first", "cancel first"), calls);
        assertTrue(first[0].isOpen() && notWatchable.isOpen());
    }

    /** Netdev {@code w}, a packet client of one wire, with the inject NIC {@code nic} as its peer. */
    private Inject netdevWithNic(PacketWire wire) throws Exception {
        rig.prepare("w", ctx -> PacketClient.start(ctx, wire, NetClient.MAX_FRAME, "wire: test"));
        rig.netdev("wire,id=w");
        rig.add(Section.DEVICE, "inject,id=nic,netdev=w");
        return rig.inject.get("nic");
    }

    private long drops(String id) throws Exception {
        Map<String, Long> drops = rig.client(id).counters().drops();
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }
}
