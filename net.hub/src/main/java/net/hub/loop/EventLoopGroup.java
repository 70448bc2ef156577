package net.hub.loop;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The runtime's event loops and the mailboxes between every ordered pair of them. Clients are
 * spread over the loops round-robin; clients that are peers always share a loop.
 */
public final class EventLoopGroup implements AutoCloseable {

    private final EventLoop[] loops;
    private final Mailbox[][] mailboxes; // [from][to]
    private final AtomicInteger next = new AtomicInteger();

    /**
     * Starts the loops.
     *
     * @param count how many loop threads
     * @param log   where loop failures are reported
     */
    public EventLoopGroup(int count, System.Logger log) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one event loop is needed");
        }
        loops = new EventLoop[count];
        for (int i = 0; i < count; i++) {
            loops[i] = new EventLoop(i, log);
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
