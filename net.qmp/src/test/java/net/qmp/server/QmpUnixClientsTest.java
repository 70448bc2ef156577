package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.control.qmp.QmpListener;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle clients of a unix endpoint are cheap: their sessions park virtual threads while the
 * endpoint's poller waits for all of them, so thousands are greeted and served at once and none
 * holds a platform thread.
 */
@Timeout(120)
class QmpUnixClientsTest extends QmpServerFixture {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    /** Connects {@code count} clients to {@code listener} and awaits each one's greeting. */
    private static void greeted(QmpListener listener, int count, List<QmpTestClient> into) throws Exception {
        for (int i = 0; i < count; i++) {
            QmpTestClient c = QmpTestClient.connect(listener);
            into.add(c);
            assertNotNull(c.next().get("QMP"), "client " + i + " greeted");
        }
    }

    private static void closeAll(List<QmpTestClient> clients) throws Exception {
        for (QmpTestClient c : clients) {
            c.close();
        }
    }

    @Test
    void twoThousandIdleClientsAreGreetedAndOneMoreIsServedPromptly() throws Exception {
        QmpListener unix = server.listen("unix:" + dir.resolve("qmp.sock") + ",max-clients=2048");
        List<QmpTestClient> idle = new ArrayList<>();
        try {
            greeted(unix, 2_000, idle);
            Await.until(() -> ((QmpEndpoint) unix).sessions().size() == 2_000, "2000 sessions");
            long asked = System.nanoTime();
            try (QmpTestClient late = QmpTestClient.negotiated(unix)) {
                late.assertUsable();
            }
            long millis = (System.nanoTime() - asked) / 1_000_000;
            assertTrue(millis < 5_000, "the 2001st client negotiated and was answered in " + millis + " ms");
        } finally {
            closeAll(idle);
        }
        Await.until(() -> ((QmpEndpoint) unix).sessions().isEmpty(), "every session ended");
    }

    @Test
    void idleClientsHoldNoPlatformThread() throws Exception {
        QmpListener unix = server.listen("unix:" + dir.resolve("qmp.sock"));
        List<QmpTestClient> idle = new ArrayList<>();
        try {
            greeted(unix, 1, idle); // the virtual threads' carriers start with the first
            int before = THREADS.getThreadCount();
            greeted(unix, 200, idle);
            int after = THREADS.getThreadCount();
            // Two platform threads per client, as before the poller, would be 400 more.
            assertTrue(after - before < 32, before + " platform threads before 200 idle clients, " + after + " after");
            assertEquals(201, ((QmpEndpoint) unix).sessions().size());
        } finally {
            closeAll(idle);
        }
    }
}
