package net.backend.vhostuser;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import net.testlib.Await;
import net.testlib.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A front end that lies, against the {@code vhost-user-backend} netdev over its real socket: what
 * a malicious guest or QEMU can put in a ring or a message is refused and counted, the netdev and
 * its hub go on, and nothing the front end gave (mappings, descriptors) outlives its connection.
 * Both sides run in this process, so {@code /proc/self} shows the back end's mappings and
 * descriptors of the guest's memfd next to the front end's own one of each.
 */
@Timeout(60)
class HostileFrontEndTest {

    private static final String GUEST = "/memfd:vhost-user-test-guest";
    private static final String EVENTFD = "anon_inode:[eventfd]";
    private static final long FEATURES = VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_F_VERSION_1)
            | VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF)
            | VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC)
            | VhostUserFeatures.bit(VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES);
    private static final int HEADER = VirtioNetHeader.SIZE;

    @TempDir
    Path dir;
    private Fixture rig;
    private HostileFrontEnd front;
    private long eventFds;
    private int seq;

    @BeforeEach
    void start() throws Exception {
        rig = new Fixture();
        rig.chardev("socket,id=c1,path=" + dir.resolve("vu.sock") + ",server=on,wait=off");
        rig.netdev("vhost-user-backend,id=v1,chardev=c1");
        rig.netdev("inject,id=peer");
        rig.hub("v1", "peer");
        eventFds = open(EVENTFD);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (front != null) {
                front.close();
            }
            Await.until(() -> mappings(GUEST) == 0 && open(GUEST) == 0 && open(EVENTFD) == eventFds,
                    Await.DEFAULT, "the back end letting go of the guest's memory and eventfds", this::leftovers);
        } finally {
            rig.close();
        }
    }

    private String leftovers() {
        try {
            return "maps " + mappings(GUEST) + ", fds " + open(GUEST) + ", eventfds " + open(EVENTFD) + " ("
                    + eventFds + " before)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static long mappings(String file) throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(file)).count();
    }

    private static long open(String file) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(file);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    private HostileFrontEnd connect(long features) throws Exception {
        front = new HostileFrontEnd(dir.resolve("vu.sock"));
        front.negotiate(features);
        front.get(VhostUserRequest.GET_FEATURES); // the handshake is served once this is answered
        return front;
    }

    /** A front end with both rings of 256 set up, REPLY_ACK negotiated. */
    private HostileFrontEnd.Ring transmitRing() throws Exception {
        connect(FEATURES);
        front.ring(0, 256);
        return front.ring(1, 256);
    }

    /** Writes a frame behind a header into buffer {@code n}; @return the bytes with the header */
    private int frame(int n, byte[] frame) {
        long at = HostileFrontEnd.buffer(n);
        VirtioNetHeader.write(front.memory(), at, HEADER, 0);
        MemorySegment.copy(frame, 0, front.memory(), ValueLayout.JAVA_BYTE, at + HEADER, frame.length);
        return HEADER + frame.length;
    }

    private static long guestBuffer(int n) {
        return HostileFrontEnd.guest(HostileFrontEnd.buffer(n));
    }

    private long drops(String reason) throws Exception {
        return rig.drops("v1", reason);
    }

    /** A good frame offered after the bad ones still crosses the hub: the netdev and its ring go on. */
    private void stillForwards(HostileFrontEnd.Ring tx, int head) throws Exception {
        byte[] good = Frames.testFrame(++seq, 60);
        tx.desc(head, guestBuffer(head), frame(head, good), 0, 0).offer(head);
        Await.until(() -> rig.inject.get("peer").received().stream().anyMatch(f -> Arrays.equals(f, good)),
                "a good frame at the hub's other port");
        Await.until(() -> tx.usedIdx() == tx.availIdx, "every chain given back");
    }

    @Test
    void buffersOutsideTheMemoryTableAreRefusedUnread() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        tx.desc(0, HostileFrontEnd.guest(HostileFrontEnd.MEMORY), 64, 0, 0).offer(0); // just past the end
        tx.desc(1, HostileFrontEnd.guest(HostileFrontEnd.MEMORY - 32), 64, 0, 0).offer(1); // across the end
        tx.desc(2, 0xffff_ffff_ffff_fff0L, 64, 0, 0).offer(2); // wrapping around
        tx.desc(3, HostileFrontEnd.GUEST_BASE - 64, 64, 0, 0).offer(3); // below
        stillForwards(tx, 4);
        assertEquals(4, drops("bad-address"));
        for (int i = 0; i < 4; i++) {
            assertEquals(0, tx.usedLen(i), "refused chains go back unused");
        }
        assertEquals(0, drops("bad-chain") + drops("bad-length") + drops("bad-indirect") + drops("bad-ring"));
    }

    @Test
    void aLoopingChainIsRefused() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        int length = frame(0, Frames.testFrame(0, 60));
        tx.desc(0, guestBuffer(0), 20, SplitRingLayout.DESC_F_NEXT, 1)
                .desc(1, guestBuffer(0) + 20, length - 20, SplitRingLayout.DESC_F_NEXT, 0).offer(0);
        stillForwards(tx, 4);
        assertEquals(1, drops("bad-chain"));
        assertEquals(1, rig.inject.get("peer").count(), "only the good frame");
    }

    @Test
    void chainsLongerThanTheRingAreRefused() throws Exception {
        connect(FEATURES);
        front.ring(0, 256);
        HostileFrontEnd.Ring tx = front.ring(1, 8);
        for (int i = 0; i < 8; i++) { // all eight descriptors, the last back to the first: never ends
            tx.desc(i, guestBuffer(0) + 8 * i, 8, SplitRingLayout.DESC_F_NEXT, (i + 1) % 8);
        }
        tx.offer(0);
        Await.until(() -> drops("bad-chain") == 1, "bad-chain"); // before the descriptors are used again
        // an indirect table of 16 descriptors in a ring of 8, each leading to the next: no loop, too long
        long table = HostileFrontEnd.buffer(100);
        for (int i = 0; i < 16; i++) {
            indirect(table, i, guestBuffer(1) + 8 * i, 8, i < 15 ? SplitRingLayout.DESC_F_NEXT : 0, i + 1);
        }
        tx.desc(1, HostileFrontEnd.guest(table), 16 * 16, SplitRingLayout.DESC_F_INDIRECT, 0).offer(1);
        Await.until(() -> drops("bad-indirect") == 1, "bad-indirect");
        stillForwards(tx, 2);
        assertEquals(1, drops("bad-chain"));
        assertEquals(0, rig.inject.get("peer").received().stream().filter(f -> f.length != 60).count());
    }

    private void indirect(long table, int i, long address, int length, int flags, int next) {
        long at = table + 16L * i;
        front.memory().set(JAVA_LONG_UNALIGNED, at, address);
        front.memory().set(JAVA_INT_UNALIGNED, at + 8, length);
        front.memory().set(JAVA_SHORT_UNALIGNED, at + 12, (short) flags);
        front.memory().set(JAVA_SHORT_UNALIGNED, at + 14, (short) next);
    }

    @Test
    void absurdLengthsAreRefused() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        tx.desc(0, guestBuffer(0), -1, 0, 0).offer(0); // 4 GiB - 1
        tx.desc(1, HostileFrontEnd.GUEST_BASE, (int) HostileFrontEnd.MEMORY, 0, 0).offer(1); // 1 MiB, inside
        tx.desc(2, guestBuffer(0), 0, 0, 0).offer(2); // nothing
        tx.desc(3, guestBuffer(0), HEADER - 1, 0, 0).offer(3); // less than the header
        tx.desc(4, HostileFrontEnd.GUEST_BASE, 40000, SplitRingLayout.DESC_F_NEXT, 5)
                .desc(5, HostileFrontEnd.GUEST_BASE, 40000, 0, 0).offer(4); // each fine, together too long
        stillForwards(tx, 6);
        assertEquals(5, drops("bad-length"));
        assertEquals(0, drops("bad-address"));
        assertEquals(0, rig.inject.get("peer").received().stream().filter(f -> f.length > 1514).count());
    }

    @Test
    void badIndirectTablesAreRefused() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        long table = HostileFrontEnd.buffer(200);
        int length = frame(0, Frames.testFrame(0, 60));
        indirect(table, 0, guestBuffer(0), length, 0, 0);
        tx.desc(0, HostileFrontEnd.guest(table), 24, SplitRingLayout.DESC_F_INDIRECT, 0).offer(0); // 1.5 entries
        tx.desc(1, HostileFrontEnd.guest(table), 0, SplitRingLayout.DESC_F_INDIRECT, 0).offer(1); // none
        tx.desc(2, HostileFrontEnd.guest(table), 16, SplitRingLayout.DESC_F_INDIRECT | SplitRingLayout.DESC_F_NEXT, 3)
                .desc(3, guestBuffer(0), length, 0, 0).offer(2); // indirect and chained on
        long nested = HostileFrontEnd.buffer(210);
        indirect(nested, 0, HostileFrontEnd.guest(table), 16, SplitRingLayout.DESC_F_INDIRECT, 0);
        tx.desc(4, HostileFrontEnd.guest(nested), 16, SplitRingLayout.DESC_F_INDIRECT, 0)
                .offer(4); // a table in a table
        tx.desc(5, HostileFrontEnd.guest(HostileFrontEnd.MEMORY - 16), 64, SplitRingLayout.DESC_F_INDIRECT, 0)
                .offer(5); // a table across the memory's end
        stillForwards(tx, 6);
        assertEquals(4, drops("bad-indirect"));
        assertEquals(1, drops("bad-address"));
        tx.desc(7, HostileFrontEnd.guest(table), 16, SplitRingLayout.DESC_F_INDIRECT, 0).offer(7);
        Await.until(() -> rig.inject.get("peer").count() == 2, "the good table's frame");
    }

    @Test
    void anIndirectTableWithoutTheFeatureIsRefused() throws Exception {
        connect(FEATURES & ~VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC));
        front.ring(0, 256);
        HostileFrontEnd.Ring tx = front.ring(1, 256);
        long table = HostileFrontEnd.buffer(200);
        indirect(table, 0, guestBuffer(0), frame(0, Frames.testFrame(0, 60)), 0, 0);
        tx.desc(0, HostileFrontEnd.guest(table), 16, SplitRingLayout.DESC_F_INDIRECT, 0).offer(0);
        stillForwards(tx, 1);
        assertEquals(1, drops("bad-indirect"));
    }

    @Test
    void anAvailableIndexMoreThanARingAheadStopsTheRingUntilItIsSetUpAgain() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        tx.desc(0, guestBuffer(0), frame(0, Frames.testFrame(0, 60)), 0, 0);
        tx.availIdx = 999;
        tx.offer(0); // 1000 chains "available" in a ring of 256
        Await.until(() -> drops("bad-ring") == 1, "bad-ring");
        assertEquals(0, rig.inject.get("peer").count());
        stillForwards(front.ring(1, 256), 0); // the front end sets the ring up again
        HostileFrontEnd.Ring again = front.ring(1, 256);
        again.desc(0, guestBuffer(0), 64, 0, 0);
        again.avail.set(JAVA_SHORT_UNALIGNED, again.layout.availRingOffset(0), (short) 256); // a head past the ring
        SplitRingLayout.publishAvailIndex(again.avail, ++again.availIdx);
        net.posix.EventFd.signal(again.kick);
        Await.until(() -> drops("bad-ring") == 2, "bad-ring for a head past the ring");
        stillForwards(front.ring(1, 256), 0);
    }

    @Test
    void aRingSizeThatIsNoPowerOfTwoIsRefused() throws Exception {
        connect(FEATURES);
        front.message().request(VhostUserRequest.SET_VRING_NUM).vringState(1, 100);
        assertNotEquals(0, front.ask(), "refused with REPLY_ACK");
        front.message().request(VhostUserRequest.SET_VRING_NUM).vringState(1, 65536);
        assertNotEquals(0, front.ask());
        assertEquals(2, rig.counter("v1", "refused-request"));
        front.ring(0, 256);
        stillForwards(front.ring(1, 256), 0);

        front.message().request(VhostUserRequest.SET_VRING_NUM).vringState(1, 100);
        front.send(); // no answer asked for: the front end cannot learn it, so the connection goes
        Await.until(front::closedByPeer, "the back end hanging up");
        assertEquals(1, rig.counter("v1", "protocol-error"));
    }

    @Test
    void aMessageWhoseSizeLiesEndsTheConnectionAndTheNextFrontEndIsServed() throws Exception {
        connect(FEATURES);
        front.sendRaw(header(VhostUserRequest.SET_VRING_NUM, 8192).putInt(0).putInt(256).flip());
        Await.until(front::closedByPeer, "the back end hanging up on a size of 8192");
        front.close();
        connect(FEATURES);
        front.sendRaw(header(VhostUserRequest.SET_VRING_NUM, 4).putInt(0).flip()); // 4 bytes of 8
        Await.until(front::closedByPeer, "the back end hanging up on a short payload");
        assertEquals(2, rig.counter("v1", "protocol-error"));
        front.close();
        Await.until(() -> mappings(GUEST) == 0 && open(GUEST) == 0, "the memory released");
        connect(FEATURES);
        front.ring(0, 256);
        stillForwards(front.ring(1, 256), 0);
        assertEquals(3, rig.counter("v1", "connect"));
    }

    private static ByteBuffer header(VhostUserRequest request, int size) {
        return ByteBuffer.allocate(VhostUserMessage.HEADER_SIZE + VhostUserMessage.MAX_PAYLOAD)
                .order(ByteOrder.LITTLE_ENDIAN).putInt(request.code()).putInt(VhostUserMessage.VERSION).putInt(size);
    }

    @Test
    void aMemoryTableOfNineRegionsIsRefusedAndItsDescriptorsClosed() throws Exception {
        connect(FEATURES);
        ByteBuffer table = header(VhostUserRequest.SET_MEM_TABLE, 8 + 9 * VhostUserMessage.MEMORY_REGION_SIZE)
                .putInt(9).putInt(0);
        for (int i = 0; i < 9; i++) {
            long offset = i * 0x1_0000L;
            table.putLong(HostileFrontEnd.GUEST_BASE + offset).putLong(0x1_0000)
                    .putLong(HostileFrontEnd.USER_BASE + offset).putLong(offset);
        }
        table.putInt(4, VhostUserMessage.VERSION | VhostUserMessage.NEED_REPLY);
        int[] eight = new int[8];
        Arrays.fill(eight, front.memfd());
        assertEquals(2, mappings(GUEST), "the front end's and the back end's of the first table");
        front.sendRaw(table.flip(), eight);
        assertNotEquals(0, front.awaitReply(VhostUserRequest.SET_MEM_TABLE).u64());
        assertEquals(1, rig.counter("v1", "refused-request"));
        Await.until(() -> open(GUEST) == 1, "the eight copies closed");
        assertEquals(2, mappings(GUEST), "nothing more mapped");
    }

    @Test
    void descriptorsSentWithMessagesThatTakeNoneAreClosed() throws Exception {
        front = new HostileFrontEnd(dir.resolve("vu.sock"));
        int[] three = {front.memfd(), front.memfd(), front.memfd()};
        front.sendRaw(header(VhostUserRequest.GET_FEATURES, 0).flip(), three);
        front.awaitReply(VhostUserRequest.GET_FEATURES);
        front.sendRaw(header(VhostUserRequest.SET_OWNER, 0).flip(), three);
        front.sendRaw(header(VhostUserRequest.SET_VRING_NUM, 8).putInt(0).putInt(256).flip(), three);
        front.sendRaw(header(VhostUserRequest.GET_FEATURES, 0).flip());
        front.awaitReply(VhostUserRequest.GET_FEATURES);
        assertEquals(1, open(GUEST), "only the front end's own");
        assertEquals(0, mappings(GUEST) - 1);
    }

    @Test
    void aRegionLargerThanItsFileIsRefusedNotMapped() throws Exception {
        front = new HostileFrontEnd(dir.resolve("vu.sock"));
        front.negotiate(FEATURES);
        front.message().request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1)
                .memoryRegion(0, HostileFrontEnd.GUEST_BASE, 2 * HostileFrontEnd.MEMORY, HostileFrontEnd.USER_BASE, 0)
                .attach(front.memfd());
        assertNotEquals(0, front.ask(), "2 MiB of a 1 MiB file: a page past its end would raise SIGBUS");
        front.message().request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1)
                .memoryRegion(0, HostileFrontEnd.GUEST_BASE, 4096, HostileFrontEnd.USER_BASE, HostileFrontEnd.MEMORY)
                .attach(front.memfd());
        assertNotEquals(0, front.ask(), "an offset at the file's end");
        assertEquals(2, rig.counter("v1", "refused-request"));
        assertEquals(1, mappings(GUEST), "only the front end's own");
        Await.until(() -> open(GUEST) == 1, "the back end's copies closed");
    }

    @Test
    void ringsOutsideTheMemoryTableOrMisalignedAreRefused() throws Exception {
        connect(FEATURES);
        front.message().request(VhostUserRequest.SET_VRING_NUM).vringState(1, 256);
        assertEquals(0, front.ask());
        long user = HostileFrontEnd.USER_BASE;
        front.message().request(VhostUserRequest.SET_VRING_ADDR).vringAddress(1, 0, user + HostileFrontEnd.MEMORY - 64,
                user + 0x2000, user + 0x1000, 0);
        assertNotEquals(0, front.ask(), "a descriptor table across the memory's end");
        front.message().request(VhostUserRequest.SET_VRING_ADDR).vringAddress(1, 0, HostileFrontEnd.GUEST_BASE,
                user + 0x2000, user + 0x1000, 0);
        assertNotEquals(0, front.ask(), "a guest-physical address where the front end's own belongs");
        front.message().request(VhostUserRequest.SET_VRING_ADDR).vringAddress(1, 0, user + 8, user + 0x2000,
                user + 0x1000, 0);
        assertNotEquals(0, front.ask(), "a descriptor table not 16-aligned");
        assertEquals(3, rig.counter("v1", "refused-request"));
        front.ring(0, 256);
        stillForwards(front.ring(1, 256), 0);
    }

    @Test
    void aKickThatIsNoEventFdIsRefused() throws Exception {
        connect(FEATURES);
        front.message().request(VhostUserRequest.SET_VRING_KICK).u64(1).attach(front.memfd());
        assertNotEquals(0, front.ask());
        front.message().request(VhostUserRequest.SET_VRING_KICK).u64(1 | VhostUserMessage.VRING_NOFD);
        assertNotEquals(0, front.ask(), "no descriptor: the ring could only be polled");
        assertEquals(1, rig.counter("v1", "bad-eventfd"));
        Await.until(() -> open(GUEST) == 1, "the memfd sent as a kick closed");
        front.ring(0, 256);
        stillForwards(front.ring(1, 256), 0);
    }

    /**
     * A receive buffer the device writes into may lie on the available ring itself: each buffer
     * of a merged frame then moves avail.idx one further as the frame is written, so the chains
     * of one frame never run out, more of them than the ring has. The frame is refused, not
     * spread over more chains than the device keeps track of.
     */
    @Test
    void aFrameSpreadOverMoreBuffersThanTheRingHasIsRefused() throws Exception {
        connect(FEATURES);
        HostileFrontEnd.Ring rx = front.ring(0, 8);
        HostileFrontEnd.Ring tx = front.ring(1, 256);
        long availIdx = rx.guestBase() + rx.layout.availOffset() + SplitRingLayout.AVAIL_IDX;
        rx.desc(0, guestBuffer(0), HEADER, SplitRingLayout.DESC_F_WRITE, 0) // the header's buffer
                .desc(1, availIdx, 4, SplitRingLayout.DESC_F_WRITE, 0); // avail.idx and ring[0]
        for (int i = 1; i < 8; i++) { // ring[0] = 0: the header's chain; every other entry: the aliasing one
            rx.avail.set(JAVA_SHORT_UNALIGNED, rx.layout.availRingOffset(i), (short) 1);
        }
        rx.availIdx = 2;
        SplitRingLayout.publishAvailIndex(rx.avail, 2); // the header's chain and one more
        net.posix.EventFd.signal(rx.kick);
        byte[] frame = new byte[64]; // 4 bytes per chain: avail.idx one further, ring[0] = 1
        ByteBuffer pattern = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; pattern.hasRemaining(); k++) {
            pattern.putShort((short) (3 + k)).putShort((short) 1);
        }
        rig.inject.get("peer").send(frame, false);
        Await.until(() -> drops("bad-chain") == 1, "the frame refused");
        Await.until(() -> rx.usedIdx() == 8, "the eight chains it took given back");
        for (int i = 0; i < 8; i++) {
            assertEquals(0, rx.usedLen(i), "unused");
        }
        stillForwards(tx, 0);
    }

    /**
     * A front end that shrinks its memory file after sharing it: the back end's next access to
     * the pages gone faults (SIGBUS, which the JVM turns into an InternalError), on a kick or on
     * a frame for the guest. The connection goes, the loop and the hub go on.
     */
    @Test
    void aFrontEndThatShrinksItsMemoryAfterSharingItIsDropped() throws Exception {
        HostileFrontEnd.Ring tx = transmitRing();
        front.get(VhostUserRequest.GET_FEATURES); // the rings are placed
        front.truncate(0); // from now on its own mapping faults too: only the kick is left to it
        net.posix.EventFd.signal(tx.kick);
        Await.until(front::closedByPeer, "the back end hanging up");
        assertEquals(1, rig.counter("v1", "protocol-error"));
        front.close();
        front = null;
        rig.inject.get("peer").send(Frames.testFrame(1, 60), false); // the loop still runs

        connect(FEATURES); // the same, met by a frame for the guest
        front.ring(0, 256);
        front.ring(1, 256);
        front.truncate(0);
        rig.inject.get("peer").send(Frames.testFrame(2, 60), false);
        Await.until(front::closedByPeer, "the back end hanging up");
        assertEquals(2, rig.counter("v1", "protocol-error"));
        front.close();

        connect(FEATURES);
        front.ring(0, 256);
        stillForwards(front.ring(1, 256), 0);
    }
}
