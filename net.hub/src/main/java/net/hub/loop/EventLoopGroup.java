package net.hub.loop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime's event loops and the mailboxes between every ordered pair of them. Clients are
 * spread over the loops round-robin; clients that are peers always share a loop.
 */
public final class EventLoopGroup implements AutoCloseable {

    private final EventLoop[] loops;
    private final Mailbox[][] mailboxes; // [from][to]
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicBoolean started;

    /**
     * Starts the loops.
     *
     * @param count how many loop threads
     * @param log   where loop failures are reported
     */
    public EventLoopGroup(int count, System.Logger log) {
        this(count, log, false);
    }

    /**
     * Starts the loops, held if asked: they run control tasks but watch no channel or descriptor
     * and run no timer until {@link #endStartup}, as QEMU polls nothing before its main loop.
     *
     * @param count how many loop threads
     * @param log   where loop failures are reported
     * @param held  whether start-up holds them
     */
    public EventLoopGroup(int count, System.Logger log, boolean held) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one event loop is needed");
        }
        started = new AtomicBoolean(!held);
        loops = new EventLoop[count];
        for (int i = 0; i < count; i++) {
            loops[i] = new EventLoop(i, log, held);
        }
        mailboxes = new Mailbox[count][count];
        for (int from = 0; from < count; from++) {
            for (int to = 0; to < count; to++) {
                mailboxes[from][to] = from == to ? null : new Mailbox(loops[from], loops[to]);
            }
        }
        for (int to = 0; to < count; to++) {
            Mailbox[] inbound = new Mailbox[count - 1];
            int k = 0;
            for (int from = 0; from < count; from++) {
                if (from != to) {
                    inbound[k++] = mailboxes[from][to];
                }
            }
            loops[to].start(inbound);
        }
    }

    /**
     * Ends start-up: first every loop makes the connections pending since start-up (accepts and
     * connects, as QEMU's first main-loop iteration would before it reads from them), then every
     * loop watches everything. A second call does nothing.
     *
     * @param timeout how long to wait for the loops to make those connections
     * @return false when this call ended nothing: start-up was over already
     * @throws InterruptedException when interrupted; the loops are released even so
     */
    public boolean endStartup(Duration timeout) throws InterruptedException {
        if (!started.compareAndSet(false, true)) {
            return false;
        }
        CountDownLatch connected = new CountDownLatch(loops.length);
        try {
            for (EventLoop loop : loops) {
                loop.execute(() -> loop.pollConnections(connected::countDown));
            }
            connected.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } finally {
            for (EventLoop loop : loops) {
                loop.execute(loop::pollEverything);
            }
        }
        return true;
    }

    /** @return the loop the next new client gets */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /**
     * @param from the producing loop
     * @param to   the consuming loop, not {@code from}
     * @return the mailbox between them
     */
    public Mailbox mailbox(EventLoop from, EventLoop to) {
        return mailboxes[from.index()][to.index()];
    }

    /** @return the loops, in their order */
    public List<EventLoop> loops() {
        return List.of(loops);
    }

    /** @return the number of loops */
    public int size() {
        return loops.length;
    }

    @Override
    public void close() throws InterruptedException {
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
    }
}
