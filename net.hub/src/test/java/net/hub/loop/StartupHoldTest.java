package net.hub.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import net.testlib.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A group held by start-up watches nothing and runs no timer, yet runs control tasks; ending
 * start-up accepts the connections pending meanwhile before it reads from any of them.
 */
class StartupHoldTest {

    private static final System.Logger LOG = System.getLogger("test");
    private final EventLoopGroup group = new EventLoopGroup(2, LOG, true);

    @AfterEach
    void stop() throws InterruptedException {
        group.close();
    }

    @Test
    void nothingIsAcceptedReadOrTimedUntilStartupEndsThenAcceptsComeBeforeReads() throws Exception {
        EventLoop loop = group.next();
        List<String> events = new CopyOnWriteArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).configureBlocking(false);
            ClientLoop client = loop.call(() -> {
                ClientLoop c = new ClientLoop(loop, LOG);
                c.register(server, SelectionKey.OP_ACCEPT, ops -> accept(server, c, events));
                c.schedule(() -> events.add("timer"), 0, TimeUnit.MILLISECONDS);
                return c;
            });
            try (SocketChannel peer = SocketChannel.open(server.getLocalAddress())) {
                peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                // Control tasks run while held, each one a turn of the loop that would have seen the
                // pending connection and the due timer.
                for (int i = 0; i < 20; i++) {
                    assertEquals(List.of(), loop.call(() -> List.copyOf(events)), "held, turn " + i);
                }
                assertTrue(group.endStartup(Duration.ofSeconds(5)));
                Await.until(() -> events.contains("read 3"), Duration.ofSeconds(5), "the frame read after start-up");
                assertEquals("accept", events.get(0), "the connection is made before anything is read: " + events);
                assertTrue(events.indexOf("accept") < events.indexOf("read 3"));
                Await.until(() -> events.contains("timer"), Duration.ofSeconds(5), "the timer after start-up");
                assertFalse(group.endStartup(Duration.ofSeconds(5)), "a second end does nothing");
                loop.call(() -> {
                    client.close();
                    return null;
                });
            }
        }
    }

    private static void accept(ServerSocketChannel server, ClientLoop loop, List<String> events) {
        try {
            SocketChannel accepted = server.accept();
            if (accepted == null) {
                return;
            }
            events.add("accept");
            accepted.configureBlocking(false);
            loop.register(accepted, SelectionKey.OP_READ, ops -> {
                try {
                    int n = accepted.read(ByteBuffer.allocate(16));
                    if (n > 0) {
                        events.add("read " + n);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
