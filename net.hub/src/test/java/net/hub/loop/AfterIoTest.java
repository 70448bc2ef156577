package net.hub.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code executeAfterIo}: the end of a loop iteration, after its tasks and hand-overs. */
class AfterIoTest {

    private static final System.Logger LOG = System.getLogger("test");
    private final EventLoopGroup group = new EventLoopGroup(1, LOG);

    @AfterEach
    void stop() throws InterruptedException {
        group.close();
    }

    @Test
    void runsAfterTheIterationsTasksOnceAndNotForAClosedClient() throws Exception {
        EventLoop loop = group.next();
        ClientLoop open = new ClientLoop(loop, LOG);
        ClientLoop closed = new ClientLoop(loop, LOG);
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            open.executeAfterIo(() -> {
                order.add("after-io");
                // Queued while the end-of-iteration tasks run: waits for the next iteration.
                open.executeAfterIo(() -> {
                    order.add("next iteration");
                    done.countDown();
                });
            });
            closed.executeAfterIo(() -> order.add("closed client"));
            closed.close();
            loop.execute(() -> order.add("task queued in the same iteration"));
        });
        assertEquals(true, done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("task queued in the same iteration", "after-io", "next iteration"), order);
    }
}
