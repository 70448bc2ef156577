package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import net.posix.Libc;
import net.posix.Memfd;
import net.posix.UnixStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** vhost-user messages over a real unix socket pair, whole, in pieces, and from a peer that lies. */
class VhostUserMessageTest {

    private int[] pair;
    private final VhostUserMessage front = new VhostUserMessage();
    private final VhostUserMessage back = new VhostUserMessage();

    @BeforeEach
    void connect() throws Exception {
        pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
    }

    @AfterEach
    void close() {
        front.discard();
        back.discard();
        for (int fd : pair) {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    /** @return how many descriptors of this process are the memfd of that name */
    private static long open(String memfd) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("/memfd:" + memfd + " ");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    private static String unique(String name) {
        return "vhu-test-" + name + "-" + System.nanoTime();
    }

    /** Writes raw bytes to the socket, as a peer that frames its messages its own way. */
    private static void write(int fd, ByteBuffer bytes) {
        byte[] array = new byte[bytes.remaining()];
        bytes.get(array);
        assertEquals(array.length, Libc.write(fd, MemorySegment.ofArray(array), array.length));
    }

    private static ByteBuffer header(int request, int flags, int size) {
        return ByteBuffer.allocate(12 + Math.max(0, Math.min(size, 64))).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(request).putInt(flags).putInt(size);
    }

    @Test
    void aMemoryTableTravelsWithItsDescriptorsAndTheOneNotTakenIsClosed() throws Exception {
        String taken = unique("taken");
        String left = unique("left");
        int region0 = Memfd.create(taken, 4096);
        int region1 = Memfd.create(left, 4096);
        try {
            front.request(VhostUserRequest.SET_MEM_TABLE).needReply().memoryTable(2)
                    .memoryRegion(0, 0, 0xa0000, 0x7f00_0000_0000L, 0)
                    .memoryRegion(1, 0x10_0000, 0x7ff0_0000L, 0x7f00_0010_0000L, 0x10_0000)
                    .attach(region0).attach(region1).send(pair[0]);
        } finally {
            Libc.close(region0);
            Libc.close(region1);
        }
        assertTrue(back.receive(pair[1]));
        assertEquals(VhostUserRequest.SET_MEM_TABLE, back.request());
        assertEquals(VhostUserMessage.VERSION | VhostUserMessage.NEED_REPLY, back.flags());
        assertTrue(back.needsReply());
        assertFalse(back.isReply());
        assertEquals(1, back.version());
        assertEquals(8 + 2 * VhostUserMessage.MEMORY_REGION_SIZE, back.size());
        assertEquals(2, back.regionCount());
        assertEquals(0x10_0000, back.regionGuestAddress(1));
        assertEquals(0x7ff0_0000L, back.regionSize(1));
        assertEquals(0x7f00_0010_0000L, back.regionUserAddress(1));
        assertEquals(0x10_0000, back.regionMmapOffset(1));
        assertEquals(0xa0000, back.regionSize(0));
        assertEquals(0, back.regionGuestAddress(7), "past the regions sent: zeros, never an earlier message");
        assertThrows(IndexOutOfBoundsException.class, () -> back.regionSize(8));
        assertEquals(2, back.descriptorCount());
        int mine = back.takeDescriptor(0);
        assertEquals(-1, back.takeDescriptor(0), "taken once");
        assertEquals(-1, back.takeDescriptor(2));
        assertEquals(1, open(taken));
        assertEquals(1, open(left));

        back.reply().u64(0).send(pair[1]);
        assertTrue(front.receive(pair[0]));
        assertTrue(front.isReply());
        assertEquals(VhostUserRequest.SET_MEM_TABLE, front.request());
        assertEquals(VhostUserMessage.VERSION | VhostUserMessage.REPLY, front.flags());
        assertEquals(8, front.size());
        assertEquals(0, front.u64());

        assertFalse(back.receive(pair[1]), "nothing more; the next message has begun");
        assertEquals(0, open(left), "the descriptor not taken was closed");
        assertEquals(1, open(taken), "the one taken is the handler's");
        Libc.close(mine);
    }

    @Test
    void vringMessagesKeepEveryBitOfTheirFields() throws Exception {
        front.request(VhostUserRequest.SET_VRING_ADDR)
                .vringAddress(1, VhostUserMessage.VRING_F_LOG, 0xffff_8000_0000_1000L, 0x8000_0000_0000_2000L,
                        0x1_0000_3000L, 0xffff_ffff_ffff_fff0L)
                .send(pair[0]);
        front.request(VhostUserRequest.SET_VRING_BASE).vringState(0xfffffffe, 0x8000_0000).send(pair[0]);
        front.request(VhostUserRequest.SET_VRING_CALL).u64(3 | VhostUserMessage.VRING_NOFD).send(pair[0]);
        front.request(VhostUserRequest.GET_FEATURES).send(pair[0]);

        assertTrue(back.receive(pair[1]));
        assertEquals(VhostUserRequest.SET_VRING_ADDR, back.request());
        assertEquals(VhostUserMessage.VRING_ADDRESS_SIZE, back.size());
        assertEquals(1, back.vringIndex());
        assertEquals(VhostUserMessage.VRING_F_LOG, back.vringFlags());
        assertEquals(0xffff_8000_0000_1000L, back.vringDescAddress());
        assertEquals(0x8000_0000_0000_2000L, back.vringUsedAddress());
        assertEquals(0x1_0000_3000L, back.vringAvailAddress());
        assertEquals(0xffff_ffff_ffff_fff0L, back.vringLogAddress());
        assertTrue(back.receive(pair[1]));
        assertEquals(0xfffffffe, back.vringIndex());
        assertEquals(0x8000_0000, back.vringNum());
        assertTrue(back.receive(pair[1]));
        assertEquals(3, back.u64() & VhostUserMessage.VRING_INDEX_MASK);
        assertTrue((back.u64() & VhostUserMessage.VRING_NOFD) != 0);
        assertTrue(back.receive(pair[1]));
        assertEquals(VhostUserRequest.GET_FEATURES, back.request());
        assertEquals(0, back.size());
        assertEquals(0, back.u64(), "no payload reads as 0, not the last message's");
        assertFalse(back.receive(pair[1]));
    }

    @Test
    void aMessageInPiecesIsWholeOnlyAtItsLastByteAndKeepsTheDescriptorsOfItsFirst() throws Exception {
        String name = unique("pieces");
        int kick = Memfd.create(name, 4096);
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer message = header(VhostUserRequest.SET_VRING_KICK.code(), VhostUserMessage.VERSION, 8).putLong(5);
            message.flip();
            byte[] bytes = new byte[20];
            message.get(bytes);
            MemorySegment first = arena.allocate(5);
            first.copyFrom(MemorySegment.ofArray(bytes).asSlice(0, 5));
            assertEquals(5, UnixStream.sendNow(pair[0], first, new int[] {kick}, 1,
                    arena.allocate(UnixStream.SCRATCH_SIZE, 8)));
            assertFalse(back.receive(pair[1]), "5 bytes of a header");
            write(pair[0], ByteBuffer.wrap(bytes, 5, 10));
            assertFalse(back.receive(pair[1]), "the header and 3 bytes of the payload");
            write(pair[0], ByteBuffer.wrap(bytes, 15, 5));
            assertTrue(back.receive(pair[1]));
            assertEquals(VhostUserRequest.SET_VRING_KICK, back.request());
            assertEquals(5, back.u64());
            assertEquals(1, back.descriptorCount());
        } finally {
            Libc.close(kick);
        }
        assertEquals(1, open(name));
        back.discard();
        assertEquals(0, open(name), "discard closes what was not taken");
    }

    @Test
    void aSizeLargerThanAnyPayloadIsAProtocolError() throws IOException {
        write(pair[0], header(VhostUserRequest.SET_MEM_TABLE.code(), VhostUserMessage.VERSION, 4097).flip());
        IOException tooBig = assertThrows(IOException.class, () -> back.receive(pair[1]));
        assertEquals("vhost-user message 5 too big: size 4097, at most 4096", tooBig.getMessage());

        back.discard();
        write(pair[0], header(VhostUserRequest.GET_FEATURES.code(), VhostUserMessage.VERSION, -1).flip());
        assertThrows(IOException.class, () -> back.receive(pair[1]), "size 4294967295, unsigned");

        back.discard();
        write(pair[0], header(VhostUserRequest.GET_FEATURES.code(), VhostUserMessage.VERSION, 4096)
                .position(12).flip());
        assertFalse(back.receive(pair[1]), "4096 is legal: it waits for the payload");
    }

    @Test
    void thePeerLeavingMidMessageIsTheEndAndItsDescriptorsAreClosed() throws Exception {
        String name = unique("eof");
        int fd = Memfd.create(name, 4096);
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(3, UnixStream.sendNow(pair[0], arena.allocate(3), new int[] {fd}, 1,
                    arena.allocate(UnixStream.SCRATCH_SIZE, 8)));
        } finally {
            Libc.close(fd);
        }
        Libc.close(pair[0]);
        pair[0] = -1;
        assertThrows(EOFException.class, () -> back.receive(pair[1]));
        assertEquals(1, open(name));
        back.discard();
        assertEquals(0, open(name));
    }

    @Test
    void descriptorsBeyondEightAreClosedNotKept() throws Exception {
        String name = unique("many");
        int fd = Memfd.create(name, 4096);
        int[] ten = new int[10];
        java.util.Arrays.fill(ten, fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocate(12);
            bytes.copyFrom(MemorySegment.ofBuffer(header(VhostUserRequest.GET_FEATURES.code(), 1, 0).flip()));
            assertEquals(12, UnixStream.sendNow(pair[0], bytes, ten, 10, arena.allocate(UnixStream.SCRATCH_SIZE, 8)));
        } finally {
            Libc.close(fd);
        }
        assertTrue(back.receive(pair[1]));
        assertEquals(VhostUserMessage.MAX_FDS, back.descriptorCount());
        assertEquals(8, open(name), "eight kept, two closed at once");
        back.discard();
        assertEquals(0, open(name));
    }

    @Test
    void anUnknownRequestIsReadAndNamedByItsNumber() throws Exception {
        write(pair[0], header(999, VhostUserMessage.VERSION, 0).flip());
        assertTrue(back.receive(pair[1]));
        assertNull(back.request());
        assertEquals(999, back.requestCode());
        assertEquals("request 999 flags 0x1 size 0 fds 0", back.toString());
    }

    @Test
    void aPeerThatStopsReadingFailsTheSendInsteadOfBlockingIt() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filler = arena.allocate(65536);
            MemorySegment scratch = arena.allocate(UnixStream.SCRATCH_SIZE, 8);
            int[] none = new int[0];
            while (UnixStream.sendNow(pair[0], filler, none, 0, scratch) > 0) {
                // fill the socket's buffer: the peer reads nothing
            }
        }
        IOException full = assertThrows(IOException.class,
                () -> front.request(VhostUserRequest.GET_FEATURES).send(pair[0]));
        assertTrue(full.getMessage().startsWith("vhost-user peer does not read: "), full.getMessage());
        assertThrows(IllegalStateException.class, () -> {
            front.request(VhostUserRequest.SET_MEM_TABLE);
            for (int i = 0; i <= VhostUserMessage.MAX_FDS; i++) {
                front.attach(0);
            }
        });
    }
}
