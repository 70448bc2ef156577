package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.MappedRegion;
import net.posix.UnixStream;
import net.testlib.Await;
import net.testlib.Cleanup;
import net.testlib.Frames;
import net.testlib.InjectDriver;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test plays a vhost-user back end that lies in its used ring: ids that name no descriptor,
 * a chain used twice, lengths beyond the buffers, a frame claiming zero buffers, a frame longer
 * than any frame may be. The front end
 * refuses and counts each, follows none of them, and still delivers the honest frames. And one
 * that never answers: it is let go after a bounded wait.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileBackEndTest {

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long OFFERED = VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_F_VERSION_1)
            | VhostUserFeatures.bit(VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF)
            | VhostUserFeatures.bit(VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES);

    @TempDir
    Path work;
    @AutoClose
    final Cleanup cleanup = new Cleanup();

    private final VhostUserMessage message = new VhostUserMessage();
    private MappedRegion memory;
    private long userBase;
    private long guestBase;
    private long rxDesc;
    private long rxAvail;
    private long rxUsed;
    private int rxCall = -1;
    private int usedIdx;

    @Test
    void liesInTheUsedRingAreRefusedAndCountedAndHonestFramesStillPass() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user,id=v0,chardev=c0");
        fx.netdev(InjectDriver.TYPE + ",id=s1");
        fx.hub("v0", "s1");
        UnixStream stream = cleanup.add(UnixStream.connect(socket));
        cleanup.add(() -> {
            message.discard();
            if (memory != null) {
                memory.close();
            }
            if (rxCall >= 0) {
                Libc.close(rxCall);
            }
        });
        handshake(stream.fd());
        fx.awaitCounter("v0", VhostUserFrontEnd.CONNECTS, 1);
        MemorySegment m = memory.segment();
        Await.until(() -> Short.toUnsignedInt(m.get(U16, rxAvail + SplitRingLayout.AVAIL_IDX)) == 256,
                "the receive ring's buffers posted");
        int[] heads = new int[48];
        for (int i = 0; i < heads.length; i++) {
            heads[i] = Short.toUnsignedInt(m.get(U16, rxAvail + SplitRingLayout.AVAIL_RING + 2L * i));
        }
        byte[] honest = Frames.testFrame(1, 60);
        byte[] second = Frames.testFrame(2, 300);
        fill(heads[1], 1, honest);
        fill(heads[2], 0, Frames.testFrame(3, 60)); // num_buffers 0: no frame is zero buffers long
        fill(heads[3], 1, second);

        used(4096, 100);                                  // no such descriptor
        used(-1, 100);                                    // nor this
        used(heads[0], VhostUserFrontEnd.BUFFER_SIZE + 1); // longer than the buffer
        used(heads[1], 12 + honest.length);               // honest
        used(heads[1], 12 + honest.length);               // the same chain again
        used(heads[2], 12 + 60);                          // zero buffers
        used(heads[3], 12 + second.length);               // honest
        // One frame over 40 buffers: longer than any frame may be; gathered and dropped as too long.
        fill(heads[4], 40, Frames.testFrame(4, 60));
        for (int i = 4; i < 44; i++) {
            used(heads[i], VhostUserFrontEnd.BUFFER_SIZE);
        }
        byte[] third = Frames.testFrame(5, 1500);
        fill(heads[44], 1, third);
        used(heads[44], 12 + third.length);               // honest
        publishUsed();

        InjectDriver.Inject s1 = fx.inject.get("s1");
        Await.until(() -> s1.count() >= 3, "the honest frames at s1");
        List<byte[]> got = s1.received();
        assertEquals(3, got.size());
        assertArrayEquals(honest, got.get(0));
        assertArrayEquals(second, got.get(1));
        assertArrayEquals(third, got.get(2));
        assertEquals(1, fx.drops("v0", VhostUserFrontEnd.TOO_LONG));
        fx.awaitCounter("v0", VhostUserFrontEnd.REFUSED, 5);
        assertEquals(5, fx.counter("v0", VhostUserFrontEnd.REFUSED));
    }

    /** A peer that never answers is let go after a bounded wait; the server chardev takes the next one. */
    @Test
    void aBackEndThatNeverAnswersIsDroppedAfterABoundedWait() throws Exception {
        Path socket = work.resolve("vh0.sock");
        Fixture fx = cleanup.add(new Fixture());
        fx.chardev("socket,id=c0,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user,id=v0,chardev=c0");
        cleanup.add(message::discard);
        long start = System.nanoTime();
        try (UnixStream silent = UnixStream.connect(socket)) {
            Await.until(() -> message.receive(silent.fd()), "the front end's first request");
            assertEquals(VhostUserRequest.GET_FEATURES, message.request());
            Await.until(() -> {
                try {
                    message.receive(silent.fd());
                    return false;
                } catch (EOFException e) {
                    return true;
                }
            }, Duration.ofMillis(3 * VhostUserFrontEnd.HANDSHAKE_MILLIS), "the silent back end dropped");
        }
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(VhostUserFrontEnd.HANDSHAKE_MILLIS));
        assertEquals(1, fx.counter("v0", VhostUserFrontEnd.HANDSHAKE_TIMEOUTS));
        message.discard();
        try (UnixStream next = UnixStream.connect(socket)) {
            Await.until(() -> message.receive(next.fd()), "the next back end's first request");
            assertEquals(VhostUserRequest.GET_FEATURES, message.request());
        }
    }

    /** Answers the front end's handshake until both rings are enabled, keeping what the test needs. */
    private void handshake(int fd) throws Exception {
        int enabled = 0;
        while (enabled < 2) {
            Await.until(() -> message.receive(fd), "the front end's next request");
            switch (message.request()) {
                case GET_FEATURES -> message.reply().u64(OFFERED).send(fd);
                case GET_PROTOCOL_FEATURES -> message.reply().u64(0).send(fd);
                case SET_MEM_TABLE -> {
                    assertEquals(1, message.regionCount());
                    int memfd = message.takeDescriptor(0);
                    try {
                        memory = MappedRegion.map(memfd, message.regionMmapOffset(0), message.regionSize(0));
                    } finally {
                        Libc.close(memfd);
                    }
                    userBase = message.regionUserAddress(0);
                    guestBase = message.regionGuestAddress(0);
                }
                case SET_VRING_ADDR -> {
                    if (message.vringIndex() == 0) {
                        rxDesc = message.vringDescAddress() - userBase;
                        rxAvail = message.vringAvailAddress() - userBase;
                        rxUsed = message.vringUsedAddress() - userBase;
                    }
                }
                case SET_VRING_CALL -> {
                    if ((message.u64() & VhostUserMessage.VRING_INDEX_MASK) == 0) {
                        rxCall = message.takeDescriptor(0);
                    }
                }
                case SET_VRING_ENABLE -> enabled++;
                default -> {
                    // the rest needs no answer here
                }
            }
        }
    }

    /** Writes a virtio-net header and a frame into the buffer of descriptor {@code head}. */
    private void fill(int head, int numBuffers, byte[] frame) {
        MemorySegment m = memory.segment();
        long at = m.get(U64, rxDesc + 16L * head) - guestBase;
        m.asSlice(at, 12).fill((byte) 0);
        m.set(U16, at + VirtioNetHeader.NUM_BUFFERS_OFFSET, (short) numBuffers);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, m, at + 12, frame.length);
    }

    private void used(int id, int length) {
        MemorySegment m = memory.segment();
        long entry = rxUsed + SplitRingLayout.USED_RING + 8L * (usedIdx % 256);
        m.set(U32, entry, id);
        m.set(U32, entry + 4, length);
        usedIdx++;
    }

    private void publishUsed() throws Exception {
        SplitRingLayout.publishUsedIndex(memory.segment().asSlice(rxUsed, 8), usedIdx);
        EventFd.signal(rxCall);
    }
}
