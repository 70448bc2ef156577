package net.hub.loop;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Arrays;
import net.posix.Epoll;
import net.posix.PosixException;
import net.posix.SelectableEpoll;

/**
 * Watches raw descriptors for one {@link EventLoop}: they go into an epoll(7) instance that the
 * loop's selector watches as one of its channels ({@link SelectableEpoll}), so the loop waits for
 * both in one select and runs a descriptor's handler in the same wake-up that found it ready, with
 * no thread between. Interest is level-triggered and follows the client's as a selection key's does,
 * so a handler that leaves data behind is called again and a paused client is not.
 *
 * <p>Everything runs on the loop thread.
 */
final class FdPoller implements Closeable {

    /** The data word of an event: generation (32 bits), slot (24 bits). */
    private static final int MAX_SLOTS = 1 << 24;
    /** Events one {@link #dispatchReady()} takes; more stay ready and select again at once. */
    private static final int EVENTS = 64;

    private final System.Logger log;
    private final SelectableEpoll epoll;
    private final int epfd;
    private final MemorySegment readyEvents = Arena.ofAuto().allocate(Epoll.EVENT_SIZE * EVENTS, 8);
    private final MemorySegment controlEvent = Arena.ofAuto().allocate(Epoll.EVENT_SIZE, 8);

    private FdRegistration[] slots = new FdRegistration[16];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int nextSlot;
    private int generation;

    /**
     * @param selector the loop's selector, which is to watch the descriptors from now on
     * @param log      where failures go
     */
    FdPoller(Selector selector, System.Logger log) throws IOException {
        this.log = log;
        this.epoll = SelectableEpoll.open();
        this.epfd = epoll.fd();
        try {
            epoll.channel().register(selector, SelectionKey.OP_READ, this);
        } catch (IOException | RuntimeException e) {
            epoll.close();
            throw e;
        }
    }

    void add(FdRegistration registration) throws IOException {
        int slot = freeCount > 0 ? freeSlots[--freeCount] : nextSlot++;
        if (slot >= MAX_SLOTS) {
            nextSlot--;
            throw new IOException("too many descriptors on one event loop");
        }
        if (slot >= slots.length) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
        registration.slot = slot;
        registration.generation = ++generation;
        registration.watchedOps = registration.effectiveOps();
        try {
            Epoll.control(epfd, Epoll.CTL_ADD, registration.fd,
                    epollEvents(registration.watchedOps), data(registration), controlEvent);
        } catch (PosixException e) {
            release(slot);
            throw e;
        }
        slots[slot] = registration;
    }

    /** Tells epoll the descriptor's interest when it has changed. */
    void update(FdRegistration registration) {
        int ops = registration.effectiveOps();
        if (registration.watchedOps == ops) {
            return;
        }
        try {
            Epoll.control(epfd, Epoll.CTL_MOD, registration.fd, epollEvents(ops),
                    data(registration), controlEvent);
            registration.watchedOps = ops;
        } catch (PosixException e) {
            // Closed under us: the handler learns it from its next read; nothing to watch.
            log.log(System.Logger.Level.DEBUG, () -> "fd " + registration.fd + ": epoll_ctl: " + e.getMessage());
        }
    }

    void remove(FdRegistration registration) {
        try {
            Epoll.control(epfd, Epoll.CTL_DEL, registration.fd, 0, 0, controlEvent);
        } catch (PosixException e) {
            // Already closed (epoll forgot it then): nothing left to remove.
            log.log(System.Logger.Level.DEBUG, () -> "fd " + registration.fd + ": epoll_ctl: " + e.getMessage());
        }
        slots[registration.slot] = null;
        release(registration.slot);
    }

    private void release(int slot) {
        if (freeCount == freeSlots.length) {
            freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        }
        freeSlots[freeCount++] = slot;
    }

    /**
     * Runs the handlers of the descriptors that are ready now (the selector said some are).
     */
    void dispatchReady() {
        int n;
        try {
            n = Epoll.await(epfd, readyEvents, EVENTS, 0);
        } catch (PosixException e) {
            log.log(System.Logger.Level.ERROR, "epoll_wait: " + e.getMessage());
            return;
        }
        for (int i = 0; i < n; i++) {
            long data = Epoll.data(readyEvents, i);
            FdRegistration registration = slots[(int) (data >>> 8) & (MAX_SLOTS - 1)];
            if (registration == null || registration.generation != (int) (data >>> 32)) {
                continue; // removed by a handler of this batch (and maybe the slot reused)
            }
            int ready = readyOps(Epoll.events(readyEvents, i)) & registration.effectiveOps();
            if (ready != 0) {
                registration.dispatch(ready);
            }
        }
    }

    private static long data(FdRegistration registration) {
        return ((long) registration.generation << 32) | ((long) registration.slot << 8);
    }

    private static int epollEvents(int ops) {
        if (ops == 0) {
            // Errors and hang-ups are reported whatever one asks for: one-shot, so that a paused
            // client's peer hanging up is not reported on every pass until it resumes.
            return Epoll.ONESHOT;
        }
        int events = 0;
        if ((ops & SelectionKey.OP_READ) != 0) {
            events |= Epoll.IN;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            events |= Epoll.OUT;
        }
        return events;
    }

    private static int readyOps(int events) {
        int ops = 0;
        // An error or hang-up is reported as readiness, so the handler's next call sees it.
        if ((events & (Epoll.IN | Epoll.ERR | Epoll.HUP)) != 0) {
            ops |= SelectionKey.OP_READ;
        }
        if ((events & (Epoll.OUT | Epoll.ERR | Epoll.HUP)) != 0) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops;
    }

    /** Closes the epoll instance (on the loop, as it stops); watched descriptors stay open. */
    @Override
    public void close() throws IOException {
        epoll.close();
    }
}
