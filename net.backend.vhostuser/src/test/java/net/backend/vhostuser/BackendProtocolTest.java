package net.backend.vhostuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import net.posix.EventFd;
import net.posix.Libc;
import net.posix.UnixStream;
import net.testlib.Await;
import net.testlib.Descriptors;
import net.testlib.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The back end's answers, request by request, to a front end this test plays with
 * {@link VhostUserMessage}: the features it offers, REPLY_ACK's 0 and 1, the ring base it keeps,
 * and what it refuses (a ring size that is no power of two, a kick that is no eventfd, a memory
 * table whose size does not match, a request it does not know) without dropping the connection.
 */
class BackendProtocolTest {

    @TempDir
    Path dir;
    private Fixture fx;
    private UnixStream front;
    private final VhostUserMessage message = new VhostUserMessage();

    @BeforeEach
    void connect() throws Exception {
        fx = new Fixture();
        Path socket = dir.resolve("vb.sock");
        fx.chardev("socket,id=c1,path=" + socket + ",server=on,wait=off");
        fx.netdev("vhost-user-backend,id=v1,chardev=c1,queues=2");
        Await.until(() -> Ports.unixListening(socket), "the back end's socket");
        front = UnixStream.connect(socket);
        fx.awaitCounter("v1", "connect", 1);
    }

    @AfterEach
    void close() throws Exception {
        message.discard();
        if (front != null) {
            front.close();
        }
        fx.close();
    }

    /** Sends the message built and returns the reply's u64. */
    private long ask(VhostUserMessage built) throws Exception {
        message.send(front.fd());
        Await.until(() -> message.receive(front.fd()), Duration.ofSeconds(5), "the back end's reply");
        assertTrue(message.isReply(), message.toString());
        return message.u64();
    }

    @Test
    void featuresAndQueuesAreOffered() throws Exception {
        long features = ask(message.request(VhostUserRequest.GET_FEATURES));
        for (int bit : new int[] {VhostUserFeatures.VIRTIO_NET_F_MRG_RXBUF, VhostUserFeatures.VIRTIO_F_VERSION_1,
            VhostUserFeatures.VIRTIO_RING_F_INDIRECT_DESC, VhostUserFeatures.VHOST_USER_F_PROTOCOL_FEATURES,
            VhostUserFeatures.VIRTIO_NET_F_MQ}) {
            assertTrue(VhostUserFeatures.has(features, bit), "bit " + bit + " in " + Long.toHexString(features));
        }
        long protocol = ask(message.request(VhostUserRequest.GET_PROTOCOL_FEATURES));
        assertEquals(VhostUserFeatures.bit(VhostUserFeatures.PROTOCOL_F_MQ)
                | VhostUserFeatures.bit(VhostUserFeatures.PROTOCOL_F_REPLY_ACK), protocol);
        assertEquals(2, ask(message.request(VhostUserRequest.GET_QUEUE_NUM)));
    }

    @Test
    void withReplyAckEveryRequestIsAnsweredAndRefusalsKeepTheConnection() throws Exception {
        message.request(VhostUserRequest.SET_PROTOCOL_FEATURES)
                .u64(VhostUserFeatures.bit(VhostUserFeatures.PROTOCOL_F_REPLY_ACK)).send(front.fd());
        assertEquals(0, ask(message.request(VhostUserRequest.SET_OWNER).needReply()));
        assertEquals(1, ask(message.request(VhostUserRequest.SET_VRING_NUM).vringState(0, 100).needReply()),
                "a ring of 100 entries");
        assertEquals(1, ask(message.request(VhostUserRequest.SET_VRING_NUM).vringState(4, 256).needReply()),
                "ring 4 of two queue pairs");
        assertEquals(0, ask(message.request(VhostUserRequest.SET_VRING_NUM).vringState(1, 256).needReply()));

        int devNull = Libc.open("/dev/null", 0);
        assertEquals(1, ask(message.request(VhostUserRequest.SET_VRING_KICK).u64(1).attach(devNull).needReply()),
                "a kick that is no eventfd");
        Libc.close(devNull);
        assertEquals(1, fx.counter("v1", "bad-eventfd"));
        int kick = EventFd.create();
        assertEquals(0, ask(message.request(VhostUserRequest.SET_VRING_KICK).u64(1).attach(kick).needReply()),
                "an eventfd is taken; the ring waits for its address");
        Libc.close(kick);

        int memfd = net.posix.Memfd.create("guest", 1 << 20);
        message.request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1).memoryRegion(0, 0, 1 << 20, 0x7f0000000000L, 0)
                .attach(memfd).needReply();
        message.u64(1); // overwrites the payload's size: 8 bytes, though one region is announced
        assertEquals(1, ask(message), "a table whose size does not match its regions");
        Libc.close(memfd);

        message.request(VhostUserRequest.SET_VRING_BASE).vringState(1, 42).send(front.fd());
        message.request(VhostUserRequest.GET_VRING_BASE).vringState(1, 0).send(front.fd());
        Await.until(() -> message.receive(front.fd()), Duration.ofSeconds(5), "GET_VRING_BASE's reply");
        assertEquals(1, message.vringIndex());
        assertEquals(42, message.vringNum());

        assertEquals(1, ask(message.request(VhostUserRequest.GET_INFLIGHT_FD).needReply()), "a request not served");
        assertEquals(1, fx.counter("v1", "unknown-request"));
        assertEquals(0, fx.counter("v1", "protocol-error"));
        assertEquals(1, fx.counter("v1", "connect"), "one connection all along");
    }

    @Test
    void aFrontEndThatGoesLeavesNoDescriptorNorMappingBehind() throws Exception {
        int connected = Descriptors.openCount();
        int memfd = net.posix.Memfd.create("vhost-protocol-test", 1 << 20);
        int call = EventFd.create();
        message.request(VhostUserRequest.SET_MEM_TABLE).memoryTable(1).memoryRegion(0, 0, 1 << 20, 0x7f0000000000L, 0)
                .attach(memfd).send(front.fd());
        message.request(VhostUserRequest.SET_VRING_CALL).u64(0).attach(call).send(front.fd());
        message.request(VhostUserRequest.SET_VRING_ERR).u64(0).attach(call).send(front.fd());
        assertEquals(2, ask(message.request(VhostUserRequest.GET_QUEUE_NUM)), "the requests before were read");
        assertTrue(mapped(), "the region is mapped");
        Libc.close(memfd);
        Libc.close(call);
        front.close();
        front = null;
        // gone: this side's socket, the back end's end of it, the call and error eventfds it took
        Await.until(() -> Descriptors.openCount() <= connected - 2 && !mapped(), Await.DEFAULT,
                "descriptors and the mapping let go",
                () -> state(connected));
    }

    private static String state(int connected) {
        try {
            return Descriptors.openCount() + " open, " + connected + " when connected; mapped " + mapped();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static boolean mapped() throws java.io.IOException {
        try (var lines = java.nio.file.Files.lines(Path.of("/proc/self/maps"))) {
            return lines.anyMatch(l -> l.contains("memfd:vhost-protocol-test"));
        }
    }
}
