package net.hub.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.api.IoRegistration;
import net.posix.FdChannel;
import net.posix.Libc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raw descriptors on an event loop: readiness, one-shot re-arming, pause, cancel, close. */
class FdPollerTest {

    private static final System.Logger LOG = System.getLogger("test");

    private EventLoopGroup group;
    private ClientLoop client;
    private FdChannel watched;
    private FdChannel peer;

    @BeforeEach
    void setUp() throws IOException {
        group = new EventLoopGroup(1, LOG);
        client = new ClientLoop(group.next(), LOG);
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
        watched = FdChannel.adopt(pair[0]);
        peer = FdChannel.adopt(pair[1]);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.close(); // first: a handler may still be reading when a test's last latch opens
        watched.close();
        peer.close();
    }

    @Test
    void aHandlerThatTakesOneDatagramPerCallIsCalledUntilAllAreTaken() throws Exception {
        CountDownLatch all = new CountDownLatch(10);
        AtomicInteger calls = new AtomicInteger();
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        on(() -> client.register(watched.fd(), SelectionKey.OP_READ, ready -> {
            calls.incrementAndGet();
            assertEquals(SelectionKey.OP_READ, ready);
            in.clear();
            if (receive(in) >= 0) {
                all.countDown();
            }
        }));
        for (int i = 0; i < 10; i++) {
            peer.send(ByteBuffer.wrap(new byte[] {(byte) i}), null);
        }
        assertTrue(all.await(5, TimeUnit.SECONDS), "every datagram reached the handler");
    }

    @Test
    void pausedReadingHoldsEventsBackUntilResumed() throws Exception {
        AtomicInteger received = new AtomicInteger();
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(2);
        ByteBuffer in = ByteBuffer.allocate(64);
        on(() -> client.register(watched.fd(), SelectionKey.OP_READ, ready -> {
            in.clear();
            while (receive(in) >= 0) {
                received.incrementAndGet();
                first.countDown();
                second.countDown();
                in.clear();
            }
        }));
        peer.send(ByteBuffer.wrap(new byte[] {1}), null);
        assertTrue(first.await(5, TimeUnit.SECONDS));

        on(() -> {
            client.pauseReading();
            return null;
        });
        peer.send(ByteBuffer.wrap(new byte[] {2}), null);
        Thread.sleep(200); // a paused client must not be called, however long we wait
        assertEquals(1, received.get());

        on(() -> {
            client.resumeReading();
            return null;
        });
        assertTrue(second.await(5, TimeUnit.SECONDS), "the waiting datagram arrives once reading resumes");
        assertEquals(2, received.get());
    }

    @Test
    void writeInterestReportsRoomAndCancelStopsTheCalls() throws Exception {
        CountDownLatch writable = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        IoRegistration registration = on(() -> client.register(watched.fd(), SelectionKey.OP_WRITE, ready -> {
            calls.incrementAndGet();
            if ((ready & SelectionKey.OP_WRITE) != 0) {
                writable.countDown();
            }
        }));
        assertTrue(writable.await(5, TimeUnit.SECONDS));
        on(() -> {
            registration.cancel();
            return null;
        });
        int before = calls.get();
        peer.send(ByteBuffer.wrap(new byte[] {1}), null);
        Thread.sleep(200); // the point: a cancelled registration is not called, however long we wait
        assertEquals(before, calls.get(), "no call after cancel");
        assertEquals(1, watched.receive(ByteBuffer.allocate(8)), "the descriptor itself stays open and usable");
    }

    @Test
    void aHangUpIsReportedAsReadableSoTheHandlerSeesTheEnd() throws Exception {
        int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        try (FdChannel stream = FdChannel.adopt(pair[0]); FdChannel other = FdChannel.adopt(pair[1])) {
            CountDownLatch end = new CountDownLatch(1);
            ByteBuffer in = ByteBuffer.allocate(8);
            on(() -> client.register(stream.fd(), SelectionKey.OP_READ, ready -> {
                in.clear();
                try {
                    if (stream.read(in) < 0) {
                        end.countDown();
                        client.close();
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }));
            other.close();
            assertTrue(end.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void moreReadyDescriptorsThanOneBatchTakesAreAllServedWithoutAThreadOfTheirOwn() throws Exception {
        int count = 150; // more than the 64 events one pass takes: the rest must select again
        List<FdChannel> channels = new ArrayList<>();
        try {
            CountDownLatch all = new CountDownLatch(count);
            for (int i = 0; i < count; i++) {
                int[] pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_DGRAM);
                FdChannel mine = FdChannel.adopt(pair[0]);
                FdChannel theirs = FdChannel.adopt(pair[1]);
                channels.add(mine);
                channels.add(theirs);
                ByteBuffer in = ByteBuffer.allocate(8);
                on(() -> client.register(mine.fd(), SelectionKey.OP_READ, ready -> {
                    in.clear();
                    try {
                        while (mine.receive(in) >= 0) {
                            all.countDown();
                            in.clear();
                        }
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (int i = 1; i < channels.size(); i += 2) {
                channels.get(i).send(ByteBuffer.wrap(new byte[] {(byte) i}), null);
            }
            assertTrue(all.await(5, TimeUnit.SECONDS), all.getCount() + " of " + count + " not served");
            String loop = client.eventLoop().toString();
            assertEquals(List.of(loop), Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                    .filter(name -> name.startsWith(loop)).toList(), "the loop's threads");
        } finally {
            on(() -> { // on the loop, where no handler can be reading meanwhile
                for (FdChannel channel : channels) {
                    channel.close();
                }
                return null;
            });
        }
    }

    @Test
    void aClosedClientCannotRegister() throws Exception {
        on(() -> {
            client.close();
            return null;
        });
        Exception e = assertThrows(Exception.class,
                () -> on(() -> client.register(watched.fd(), SelectionKey.OP_READ, ready -> { })));
        assertTrue(e instanceof ClosedChannelException, e.toString());
    }

    private int receive(ByteBuffer in) {
        try {
            return watched.receive(in);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private <T> T on(java.util.concurrent.Callable<T> task) throws Exception {
        return client.eventLoop().call(task);
    }
}
