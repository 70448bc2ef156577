package net.hub.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.log.RepeatedLog;

/**
 * One event-loop thread: an NIO selector, a task queue for control operations, timers, and the
 * inbound mailboxes that carry hub copies from the other loops. Everything a client does runs here.
 */
public final class EventLoop {

    /** How long a control operation waits for a loop before giving up, unless told otherwise. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The longest a loop that has just handled I/O keeps polling before it sleeps in the kernel
     * (system property {@code patchbay.loop.spin.us}, 0 = never): waking a sleeping thread costs
     * tens of microseconds on a virtual CPU, more than a reply often takes. How long it polls
     * within that adapts to what polling bought lately ({@link SpinPolicy}; system property
     * {@code patchbay.loop.spin.adaptive=false} polls the whole window after every I/O). A loop
     * with nothing to do does not spin, so idle costs nothing.
     */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("patchbay.loop.spin.us", 50)) * 1000;
    private static final boolean SPIN_ADAPTS =
            Boolean.parseBoolean(System.getProperty("patchbay.loop.spin.adaptive", "true"));

    private final int index;
    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    /** Tasks for the end of this iteration, after every read and hand-over (loop thread only). */
    private ClientLoop[] afterIoOwners = new ClientLoop[16];
    private Runnable[] afterIoTasks = new Runnable[16];
    private int afterIoCount;
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final System.Logger log;
    /** A failure that comes back on every iteration must not write a line per iteration. */
    private final RepeatedLog iterationFailures;
    private final java.util.function.Consumer<SelectionKey> dispatcher = this::dispatch; // one instance, not one per wake-up
    private Mailbox[] inbound = new Mailbox[0];
    /** Made for the first raw descriptor a client registers; most set-ups never need it. */
    private FdPoller fdPoller;
    private long timerSequence;
    private volatile boolean running = true;
    /**
     * The interest operations the loop may watch while start-up holds it (loop thread only): none,
     * then everything but reading, then all ({@link #POLL_ALL}); and the clients that registered
     * meanwhile, whose interest is applied again at each step.
     */
    private int startupMask;
    private final List<ClientLoop> heldClients = new ArrayList<>();

    /** {@link #startupMask} once start-up is over. */
    static final int POLL_ALL = -1;

    // What the loop measures of itself: written by the loop thread only, read by anyone. Opaque
    // access keeps a reader from seeing half a long and costs the writer no fence.
    private static final VarHandle ITERATIONS;
    private static final VarHandle BUSY_NANOS;
    private static final VarHandle FRAMES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ITERATIONS = lookup.findVarHandle(EventLoop.class, "iterations", long.class);
            BUSY_NANOS = lookup.findVarHandle(EventLoop.class, "busyNanos", long.class);
            FRAMES = lookup.findVarHandle(EventLoop.class, "frames", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private long iterations;
    private long busyNanos;
    private long frames;

    EventLoop(int index, System.Logger log, boolean held) {
        this.index = index;
        this.log = log;
        this.iterationFailures = new RepeatedLog(log, System.Logger.Level.ERROR);
        this.startupMask = held ? 0 : POLL_ALL;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = new Thread(this::run, "patchbay-loop-" + index);
        thread.setDaemon(true);
    }

    void start(Mailbox[] inboundMailboxes) {
        this.inbound = inboundMailboxes;
        thread.start();
    }

    @Override
    public String toString() {
        return thread.getName();
    }

    /** @return this loop's position in its group */
    public int index() {
        return index;
    }

    /** @return whether the caller runs on this loop */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    Selector selector() {
        return selector;
    }

    /** @return the iterations that did work (I/O, a task, a timer, a hand-over), since the start */
    public long iterations() {
        return (long) ITERATIONS.getOpaque(this);
    }

    /** @return the time those iterations took, outside the wait for the kernel, in nanoseconds */
    public long busyNanos() {
        return (long) BUSY_NANOS.getOpaque(this);
    }

    /** @return the frames this loop's clients handed on ({@link #frameSent()}), since the start */
    public long frames() {
        return (long) FRAMES.getOpaque(this);
    }

    /** Counts a frame a client of this loop handed on; call on the loop (where its tx counter goes up). */
    public void frameSent() {
        FRAMES.setOpaque(this, frames + 1);
    }

    /** @param n frames a client of this loop handed on at once; see {@link #frameSent()} */
    public void framesSent(int n) {
        FRAMES.setOpaque(this, frames + n);
    }

    /** @return the loop's raw-descriptor poller, made on first use (call on the loop) */
    FdPoller fdPoller() throws IOException {
        if (fdPoller == null) {
            fdPoller = new FdPoller(selector, log);
        }
        return fdPoller;
    }

    /**
     * Queues a task; it runs on the loop after the current iteration's I/O.
     *
     * @param task the task
     */
    public void execute(Runnable task) {
        tasks.add(task);
        wakeup();
    }

    /**
     * Runs a control operation on the loop and waits for it (inline when already on the loop), at
     * most {@link #CALL_TIMEOUT}.
     *
     * @param <T>  the result type
     * @param task the operation
     * @return its result
     * @throws Exception what the task threw, or a TimeoutException when the loop does not answer
     */
    public <T> T call(Callable<T> task) throws Exception {
        return call(task, CALL_TIMEOUT, result -> { });
    }

    /**
     * Runs a control operation on the loop and waits for it (inline when already on the loop). When
     * the wait times out the operation is abandoned: it does not run if the loop has not come to
     * it, and if it is running, what it returns goes to {@code late}, on the loop.
     *
     * @param <T>     the result type
     * @param task    the operation
     * @param timeout how long to wait
     * @param late    takes a result that came after the timeout (not null results)
     * @return its result
     * @throws Exception what the task threw, a TimeoutException when the loop does not answer, or
     *                   a RejectedExecutionException at once when the loop has stopped
     */
    public <T> T call(Callable<T> task, Duration timeout, Consumer<? super T> late) throws Exception {
        if (inLoop()) {
            return task.call();
        }
        LoopCall<T> call = new LoopCall<>(task, late);
        if (running) {
            execute(call);
        }
        // A stopped loop runs nothing more: waiting for it would only wait out the timeout. Looked
        // at after queueing too, as the loop runs what was queued before it stopped but not after.
        if (!running && call.abandonQueued()) {
            throw new RejectedExecutionException(thread.getName() + " has stopped");
        }
        return call.await(timeout, thread.getName());
    }

    /**
     * Lets the selector drop cancelled keys now. A channel closed while registered is only really
     * closed when its key is deregistered, which otherwise waits for the next select: a listening
     * port would stay bound until then. Call on the loop.
     */
    public void flushCancelledKeys() {
        try {
            selector.selectNow(); // ready keys stay in the selected set for the next iteration
            // selectNow also swallowed any pending wake-up: let the next execute() wake us again.
            wakeupPending.set(false);
        } catch (IOException e) {
            log.log(System.Logger.Level.DEBUG, thread.getName() + ": " + e);
        }
    }

    Timer schedule(Runnable task, long delayNanos) {
        Timer timer = new Timer(this, task, System.nanoTime() + delayNanos, timerSequence++);
        timers.add(timer);
        return timer;
    }

    void cancel(Timer timer) {
        timers.remove(timer);
    }

    /** Wakes the selector unless a wake-up is already on its way; safe from any thread. */
    void wakeup() {
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    private void run() {
        // Two clock readings per iteration, when it wakes and when its work is done, serve the
        // spin, the timers and the busy time alike.
        long now = System.nanoTime();
        long spinUntil = now;
        SpinPolicy spin = new SpinPolicy(SPIN_NANOS, SPIN_ADAPTS, now);
        while (running) {
            try {
                long timeoutMillis = hasWork() ? -1 : millisToNextTimer(now);
                boolean spinning = now - spinUntil < 0;
                boolean slept = timeoutMillis >= 0 && !spinning;
                if (slept) {
                    selector.select(timeoutMillis);
                } else {
                    selector.selectNow();
                }
                long woke = System.nanoTime();
                if (spinning) {
                    spin.polled(now, woke);
                }
                wakeupPending.set(false);
                boolean io = false;
                // Not "select() > 0": keys a flushCancelledKeys() call left selected count as 0.
                if (!selector.selectedKeys().isEmpty()) {
                    selector.selectedKeys().forEach(dispatcher);
                    selector.selectedKeys().clear();
                    io = true;
                }
                boolean worked = io;
                worked |= runTasks();
                if (startupMask == POLL_ALL) {
                    worked |= runTimers(woke); // QEMU's timers do not run before its main loop either
                }
                worked |= drainMailboxes();
                worked |= runAfterIo();
                now = System.nanoTime();
                if (worked) {
                    spin.workFound(woke, slept);
                    // A spin that finds nothing is waiting, not work.
                    ITERATIONS.setOpaque(this, iterations + 1);
                    BUSY_NANOS.setOpaque(this, busyNanos + (now - woke));
                }
                if (io) {
                    spinUntil = spin.afterIo(now);
                }
            } catch (IOException | RuntimeException e) {
                // A loop must survive anything a backend does; report and go on.
                iterationFailures.log(() -> thread.getName() + ": " + e, e);
                now = System.nanoTime();
            }
        }
        runTasks();
        try {
            if (fdPoller != null) {
                fdPoller.close();
            }
            selector.close();
        } catch (IOException e) {
            log.log(System.Logger.Level.DEBUG, "closing selector: " + e);
        }
    }

    private boolean hasWork() {
        if (!tasks.isEmpty() || afterIoCount > 0) {
            return true;
        }
        for (Mailbox m : inbound) {
            if (!m.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private long millisToNextTimer(long now) {
        Timer next = startupMask == POLL_ALL ? timers.peek() : null;
        if (next == null) {
            return 0; // select(0) blocks until woken
        }
        long nanos = next.deadline - now;
        return nanos <= 0 ? -1 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    private void dispatch(SelectionKey key) {
        if (key.isValid() && key.attachment() instanceof Registration registration) {
            registration.dispatch(key.readyOps());
        } else if (key.attachment() instanceof FdPoller poller) {
            poller.dispatchReady(); // the raw descriptors, in this same wake-up
        }
    }

    /** @return whether any task ran */
    private boolean runTasks() {
        Runnable task;
        int budget = 1024; // leave room for I/O when control traffic is heavy
        boolean ran = false;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
            ran = true;
            try {
                task.run();
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.ERROR, thread.getName() + ": task failed: " + e, e);
            }
        }
        return ran;
    }

    /** @return whether any timer fired */
    private boolean runTimers(long now) {
        Timer timer;
        boolean fired = false;
        while ((timer = timers.peek()) != null && timer.deadline - now <= 0) {
            timers.poll();
            timer.fire();
            fired = true;
        }
        return fired;
    }

    /** @return the interest operations start-up lets the loop watch now (call on the loop) */
    int startupMask() {
        return startupMask;
    }

    /** Remembers a client that registers while start-up holds the loop; call on the loop. */
    void holdUntilStarted(ClientLoop client) {
        if (startupMask != POLL_ALL && !heldClients.contains(client)) {
            heldClients.add(client);
        }
    }

    /**
     * Start-up, first step: watch everything but reading, so connections pending since start-up
     * (accepts, connects) are made before any frame is read; {@code done} runs once the loop has
     * handled what was ready. Call on the loop.
     */
    void pollConnections(Runnable done) {
        if (startupMask == POLL_ALL) {
            done.run();
            return;
        }
        startupMask = ~SelectionKey.OP_READ;
        heldClients.forEach(ClientLoop::applyInterest);
        // The end of this iteration queues the signal for the end of the next, after its I/O.
        afterIo(null, () -> afterIo(null, done));
    }

    /** Start-up, last step: watch everything and run timers. Call on the loop. */
    void pollEverything() {
        if (startupMask != POLL_ALL) {
            startupMask = POLL_ALL;
            heldClients.forEach(ClientLoop::applyInterest);
            heldClients.clear();
        }
    }

    /** Queues a task for the end of this iteration; call on the loop. No allocation once the arrays have grown. */
    void afterIo(ClientLoop owner, Runnable task) {
        if (afterIoCount == afterIoTasks.length) {
            afterIoOwners = java.util.Arrays.copyOf(afterIoOwners, afterIoCount * 2);
            afterIoTasks = java.util.Arrays.copyOf(afterIoTasks, afterIoCount * 2);
        }
        afterIoOwners[afterIoCount] = owner;
        afterIoTasks[afterIoCount++] = task;
    }

    /** @return whether any task ran */
    private boolean runAfterIo() {
        int n = afterIoCount;
        for (int i = 0; i < n; i++) {
            ClientLoop owner = afterIoOwners[i];
            Runnable task = afterIoTasks[i];
            afterIoOwners[i] = null;
            afterIoTasks[i] = null;
            if (owner == null || !owner.isClosed()) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.log(System.Logger.Level.ERROR, thread.getName() + ": task failed: " + e, e);
                }
            }
        }
        // What those tasks queued in turn waits for the next iteration.
        int more = afterIoCount - n;
        System.arraycopy(afterIoOwners, n, afterIoOwners, 0, more);
        System.arraycopy(afterIoTasks, n, afterIoTasks, 0, more);
        java.util.Arrays.fill(afterIoOwners, more, afterIoCount, null);
        java.util.Arrays.fill(afterIoTasks, more, afterIoCount, null);
        afterIoCount = more;
        return n > 0;
    }

    /** @return whether any frame came in */
    private boolean drainMailboxes() {
        boolean drained = false;
        for (Mailbox m : inbound) {
            drained |= m.drain();
        }
        return drained;
    }

    void shutdown() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(CALL_TIMEOUT.toMillis());
    }
}
