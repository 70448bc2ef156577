package net.backend.user;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.api.Delivery;
import net.api.IoRegistration;
import net.api.NetClient;
import net.api.NetClientContext;
import net.api.NetCounter;
import net.api.NetEventLoop;

/**
 * A running {@code user} netdev: frames from the peer go into libslirp, frames libslirp sends go to
 * the peer, and libslirp's sockets and timers run on the netdev's event loop as QEMU's main loop
 * runs them: after each loop iteration that had work, one {@code slirp_pollfds_poll} (events, TCP
 * timers) and one {@code slirp_pollfds_fill} (what to watch next, and how long libslirp may wait).
 */
final class UserBackend implements NetClient, SlirpStack.Host, SlirpStack.PollSink {

    /** A descriptor libslirp asked to watch, and what happened to it since the last cycle. */
    private static final class Watch {
        IoRegistration registration;
        int revents;
        long seen;
    }

    private final NetClientContext context;
    private final NetEventLoop loop;
    private final UserSettings settings;
    private final SlirpStack stack;
    private final NetCounter opened;
    private final NetCounter closed;
    private final NetCounter guestErrors;
    /** Watches by descriptor number. */
    private Watch[] watches = new Watch[64];
    /** The descriptors of the last fill, by libslirp's index. */
    private int[] polled = new int[64];
    private int polledCount;
    private long cycle;
    private boolean cycleQueued;
    private NetEventLoop.Cancellable wakeup;
    /** When {@link #wakeup} runs ({@link System#nanoTime()}). */
    private long wakeupAt;
    private final Runnable wake = () -> {
        wakeup = null;
        requestCycle();
    };
    private final List<Timer> timers = new ArrayList<>();
    private final Runnable runCycle = this::cycle;
    private boolean guestErrorLogged;
    private boolean closing;

    /** One of libslirp's timers (4.7 has one: IPv6 router advertisements). */
    private record Timer(int id, MemorySegment cbOpaque, NetEventLoop.Cancellable[] pending) {
    }

    private final UserNetdevs netdevs;
    private final List<TcpGuestForward> guestForwards = new ArrayList<>();

    UserBackend(NetClientContext context, Libslirp lib, UserSettings settings, UserNetdevs netdevs) {
        this.context = context;
        this.netdevs = netdevs;
        this.loop = context.loop();
        this.settings = settings;
        this.opened = context.counter("sockets-opened");
        this.closed = context.counter("sockets-closed");
        this.guestErrors = context.counter("guest-errors");
        this.stack = new SlirpStack(lib, settings, this, MAX_FRAME);
    }

    /** @return the libslirp instance, for forwards and {@code info usernet} */
    SlirpStack stack() {
        return stack;
    }

    /** @param forward a guest forward to a TCP endpoint, closed with the netdev and pumped after each cycle */
    void addGuestForward(TcpGuestForward forward) {
        guestForwards.add(forward);
    }

    /** Starts watching what libslirp has (forwarded ports). Call on the loop. */
    void start() {
        netdevs.add(new UserNetdevs.Open(context.id(), this, loop));
        requestCycle();
    }

    /** @return the hub this netdev's peer is a port of, or -1 (QEMU's {@code info usernet} header); on the loop */
    int hubId() {
        return context.hubId().orElse(-1);
    }

    @Override
    public Delivery receive(ByteBuffer frame) {
        stack.input(frame);
        requestCycle();
        return Delivery.DELIVERED;
    }

    @Override
    public String info() {
        return settings.info();
    }

    @Override
    public void close() {
        closing = true;
        netdevs.remove(context.id(), this);
        for (Watch w : watches) {
            if (w != null && w.registration != null) {
                w.registration.cancel();
                w.registration = null;
            }
        }
        if (wakeup != null) {
            wakeup.cancel();
        }
        guestForwards.forEach(TcpGuestForward::close);
        stack.close();
    }

    // ---- the poll cycle ----

    /** Queues one cycle for the end of this loop iteration. */
    void requestCycle() {
        if (!cycleQueued && !closing) {
            cycleQueued = true;
            loop.executeAfterIo(runCycle);
        }
    }

    private void cycle() {
        if (closing) {
            return;
        }
        // cycleQueued stays set until the fill: libslirp notifies from inside the poll, and a cycle
        // queued from there would run in this same iteration, again and again, never letting the
        // loop wait for I/O.
        stack.poll(this);
        for (int i = 0; i < polledCount; i++) {
            Watch w = watches[polled[i]];
            if (w != null) {
                w.revents = 0;
            }
        }
        cycle++;
        polledCount = 0;
        long timeout = stack.fill(this);
        cycleQueued = false;
        for (int i = 0; i < guestForwards.size(); i++) {
            guestForwards.get(i).afterCycle();
        }
        for (int fd = 0; fd < watches.length; fd++) {
            Watch w = watches[fd];
            if (w != null && w.registration != null && w.seen != cycle && w.registration.interestOps() != 0) {
                w.registration.interestOps(0);
            }
        }
        if (timeout >= 0) {
            // An earlier wake-up only runs a cycle early, so one that comes first is kept.
            long at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
            if (wakeup == null || wakeupAt - at > 0) {
                if (wakeup != null) {
                    wakeup.cancel();
                }
                wakeupAt = at;
                wakeup = loop.schedule(wake, timeout, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public int add(int fd, int events) {
        int ops = ((events & (Libslirp.POLL_IN | Libslirp.POLL_PRI)) != 0 ? SelectionKey.OP_READ : 0)
                | ((events & Libslirp.POLL_OUT) != 0 ? SelectionKey.OP_WRITE : 0);
        Watch w = watch(fd);
        w.seen = cycle;
        try {
            if (w.registration == null) {
                if (ops != 0) {
                    w.registration = loop.register(fd, ops, ready -> ready(fd, ready));
                }
            } else if (w.registration.interestOps() != ops) {
                w.registration.interestOps(ops);
            }
        } catch (java.io.IOException e) {
            context.logger().log(System.Logger.Level.WARNING, "user: cannot watch descriptor " + fd + ": " + e);
        }
        if (polledCount == polled.length) {
            polled = Arrays.copyOf(polled, polledCount * 2);
        }
        polled[polledCount] = fd;
        return polledCount++;
    }

    @Override
    public int revents(int index) {
        Watch w = index >= 0 && index < polledCount ? watches[polled[index]] : null;
        return w == null ? 0 : w.revents;
    }

    private void ready(int fd, int ready) {
        Watch w = watches[fd];
        if (w == null) {
            return;
        }
        // Readiness is reported once per cycle, as poll(2) reports it to QEMU: the loop would re-arm
        // the descriptor before libslirp handles it and report the same readiness again, and a stale
        // POLL_IN on a listening socket makes libslirp's accept() block the loop. The next fill
        // restores the interest.
        w.registration.interestOps(0);
        if ((ready & SelectionKey.OP_READ) != 0) {
            w.revents |= Libslirp.POLL_IN;
        }
        if ((ready & SelectionKey.OP_WRITE) != 0) {
            w.revents |= Libslirp.POLL_OUT;
        }
        requestCycle();
    }

    private Watch watch(int fd) {
        if (fd >= watches.length) {
            watches = Arrays.copyOf(watches, Math.max(fd + 1, watches.length * 2));
        }
        Watch w = watches[fd];
        if (w == null) {
            w = new Watch();
            watches[fd] = w;
        }
        return w;
    }

    // ---- libslirp's callbacks ----

    @Override
    public void packet(ByteBuffer frame) {
        context.send(frame);
    }

    @Override
    public void guestError(String message) {
        guestErrors.increment();
        if (!guestErrorLogged) {
            guestErrorLogged = true;
            context.logger().log(System.Logger.Level.WARNING, "user: guest error: " + message
                    + " (further ones are only counted)");
        }
    }

    @Override
    public void notifyWork() {
        requestCycle();
    }

    @Override
    public void register(int fd) {
        opened.increment();
    }

    @Override
    public void unregister(int fd) {
        closed.increment();
        if (fd >= 0 && fd < watches.length && watches[fd] != null) {
            Watch w = watches[fd];
            watches[fd] = null;
            if (w.registration != null) {
                w.registration.cancel();
            }
        }
    }

    @Override
    public long timerNew(int id, MemorySegment cbOpaque) {
        timers.add(new Timer(id, cbOpaque, new NetEventLoop.Cancellable[1]));
        return timers.size();
    }

    @Override
    public void timerFree(long timer) {
        Timer t = timers.get((int) timer - 1);
        if (t.pending()[0] != null) {
            t.pending()[0].cancel();
            t.pending()[0] = null;
        }
    }

    @Override
    public void timerMod(long timer, long expireMs) {
        Timer t = timers.get((int) timer - 1);
        if (t.pending()[0] != null) {
            t.pending()[0].cancel();
        }
        long delay = Math.max(0, expireMs - System.nanoTime() / 1_000_000);
        t.pending()[0] = loop.schedule(() -> {
            t.pending()[0] = null;
            if (!closing) {
                stack.handleTimer(t.id(), t.cbOpaque());
                requestCycle();
            }
        }, delay, TimeUnit.MILLISECONDS);
    }
}
