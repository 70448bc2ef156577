package net.hub.loop;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.posix.Epoll;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * Watches raw descriptors for one {@link EventLoop}. The JDK's selector takes only its own channel
 * types, so a small thread waits in epoll(7) on the others and hands what is ready to the loop
 * through a single-producer ring, then wakes the selector. Descriptors are registered one-shot: an
 * event disarms its descriptor until the loop has run the handler and re-arms it, so the ring never
 * holds more than one live event per descriptor and a paused client is not reported again.
 *
 * <p>Everything except {@link #run} and {@link #close} runs on the loop thread.
 */
final class FdPoller implements Runnable {

    /** Ring entries: generation (32 bits), slot (24 bits), ready ops (8 bits). */
    private static final int RING = 8192;
    private static final int MAX_SLOTS = 1 << 24;
    private static final int EVENTS = 64;
    private static final long WAKE = -1L;
    private static final VarHandle ORDERED = MethodHandles.arrayElementVarHandle(long[].class);

    private final EventLoop loop;
    private final System.Logger log;
    private final int epfd;
    private final int wakeFd;
    private final Thread thread;
    private final MemorySegment waitEvents = Arena.ofAuto().allocate(Epoll.EVENT_SIZE * EVENTS, 8);
    private final MemorySegment controlEvent = Arena.ofAuto().allocate(Epoll.EVENT_SIZE, 8);
    private final MemorySegment wakeValue = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);
    private final long[] ring = new long[RING];
    /** Written by the poller, read by the loop (and the reverse for {@link #head}). */
    private volatile long tail;
    private volatile long head;
    private volatile boolean running = true;

    private FdRegistration[] slots = new FdRegistration[16];
    private int[] freeSlots = new int[16];
    private int freeCount;
    private int nextSlot;
    private int generation;

    FdPoller(EventLoop loop, System.Logger log) throws PosixException {
        this.loop = loop;
        this.log = log;
        this.epfd = Epoll.create();
        int wake;
        try {
            wake = Epoll.eventFd();
            Epoll.control(epfd, Epoll.CTL_ADD, wake, Epoll.IN, WAKE, controlEvent);
        } catch (PosixException e) {
            Libc.close(epfd);
            throw e;
        }
        this.wakeFd = wake;
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
        this.thread = new Thread(this, Thread.currentThread().getName() + "-fd");
        thread.setDaemon(true);
        thread.start();
    }

    // -- loop thread --------------------------------------------------------------------------------

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
        registration.armed = true;
        registration.armedOps = registration.effectiveOps();
        try {
            Epoll.control(epfd, Epoll.CTL_ADD, registration.fd,
                    epollEvents(registration.armedOps), data(registration), controlEvent);
        } catch (PosixException e) {
            release(slot);
            throw e;
        }
        slots[slot] = registration;
    }

    /**
     * Re-arms a descriptor an event disarmed, or changes the interest of an armed one. One armed
     * with the same interest is left alone: re-arming it could queue a second event for it.
     */
    void arm(FdRegistration registration) {
        int ops = registration.effectiveOps();
        if (registration.armed && registration.armedOps == ops) {
            return;
        }
        try {
            Epoll.control(epfd, Epoll.CTL_MOD, registration.fd, epollEvents(ops),
                    data(registration), controlEvent);
            registration.armed = true;
            registration.armedOps = ops;
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

    boolean hasReady() {
        return head != tail;
    }

    /**
     * Runs the handlers of what the poller found ready, then re-arms those still interested.
     *
     * @return whether any handler ran
     */
    boolean dispatchReady() {
        long h = head;
        long t = tail;
        boolean any = false;
        while (h != t) {
            long entry = (long) ORDERED.getAcquire(ring, (int) (h & (RING - 1)));
            h++;
            head = h; // the poller may reuse the entry now
            FdRegistration registration = slots[(int) (entry >>> 8) & (MAX_SLOTS - 1)];
            if (registration == null || registration.generation != (int) (entry >>> 32)) {
                continue; // removed (and maybe the slot reused) after the event was queued
            }
            registration.armed = false;
            int ready = (int) entry & 0xff & registration.effectiveOps();
            if (ready != 0) {
                registration.dispatch(ready);
                any = true;
            }
            if (registration.watching && !registration.armed && registration.effectiveOps() != 0) {
                arm(registration);
            }
        }
        return any;
    }

    private static long data(FdRegistration registration) {
        return ((long) registration.generation << 32) | ((long) registration.slot << 8);
    }

    private static int epollEvents(int ops) {
        int events = Epoll.ONESHOT;
        if ((ops & SelectionKey.OP_READ) != 0) {
            events |= Epoll.IN;
        }
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            events |= Epoll.OUT;
        }
        return events;
    }

    // -- poller thread ------------------------------------------------------------------------------

    @Override
    public void run() {
        while (running) {
            int n;
            try {
                n = Epoll.await(epfd, waitEvents, EVENTS, -1);
            } catch (PosixException e) {
                log.log(System.Logger.Level.ERROR, thread.getName() + ": epoll_wait: " + e.getMessage());
                return;
            }
            for (int i = 0; i < n; i++) {
                long data = Epoll.data(waitEvents, i);
                if (data == WAKE) {
                    continue; // close() wants us to look at running
                }
                offer(data | readyOps(Epoll.events(waitEvents, i)));
            }
            if (n > 0) {
                loop.wakeup();
            }
        }
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

    private void offer(long entry) {
        long t = tail;
        while (t - head >= RING) {
            // Only stale events (of re-armed or re-used slots) can fill the ring; let the loop catch up.
            loop.wakeup();
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
            if (!running) {
                return;
            }
        }
        ORDERED.setRelease(ring, (int) (t & (RING - 1)), entry);
        tail = t + 1;
    }

    /** Stops the thread and closes the epoll descriptor; watched descriptors stay open. */
    void close() throws InterruptedException {
        running = false;
        Libc.write(wakeFd, wakeValue, 8);
        thread.join(EventLoop.CALL_TIMEOUT.toMillis());
        Libc.close(wakeFd);
        Libc.close(epfd);
    }
}
