package net.hub.loop;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.api.IoHandler;
import net.api.IoRegistration;
import net.api.NetEventLoop;

/**
 * The view of an {@link EventLoop} one open client (or filter) gets: it remembers the channels and
 * timers the client made, so closing the client cancels them even if the backend forgets, and it
 * pauses the client's read interest for flow control.
 */
public final class ClientLoop implements NetEventLoop {

    private final EventLoop loop;
    private final System.Logger log;
    private final List<Registration> registrations = new ArrayList<>(2);
    private final List<Timer> timers = new ArrayList<>(2);
    private boolean readingPaused;
    private volatile boolean closed;

    /**
     * @param loop the owning loop
     * @param log  where handler failures are reported
     */
    public ClientLoop(EventLoop loop, System.Logger log) {
        this.loop = loop;
        this.log = log;
    }

    /** @return the owning loop */
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public boolean inLoop() {
        return loop.inLoop();
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(() -> {
            if (!closed) {
                task.run();
            }
        });
    }

    @Override
    public void executeAfterIo(Runnable task) {
        requireLoop();
        loop.afterIo(this, task);
    }

    @Override
    public IoRegistration register(SelectableChannel channel, int ops, IoHandler handler) throws IOException {
        requireLoop();
        if (closed) {
            throw new ClosedChannelException();
        }
        loop.holdUntilStarted(this);
        SelectorRegistration registration = new SelectorRegistration(this, handler, ops);
        registration.attach(channel.register(loop.selector(), registration.effectiveOps(), registration));
        registrations.add(registration);
        return registration;
    }

    @Override
    public IoRegistration register(int fd, int ops, IoHandler handler) throws IOException {
        requireLoop();
        if (closed) {
            throw new ClosedChannelException();
        }
        loop.holdUntilStarted(this);
        FdPoller poller = loop.fdPoller();
        FdRegistration registration = new FdRegistration(this, handler, ops, poller, fd);
        poller.add(registration);
        registrations.add(registration);
        return registration;
    }

    @Override
    public Cancellable schedule(Runnable task, long delay, TimeUnit unit) {
        requireLoop();
        Timer timer = loop.schedule(() -> {
            if (!closed) {
                task.run();
            }
        }, unit.toNanos(delay));
        timer.onDone(() -> timers.remove(timer));
        timers.add(timer);
        return timer;
    }

    /** Masks read interest on every channel of the client. */
    public void pauseReading() {
        if (!readingPaused) {
            readingPaused = true;
            applyInterest();
        }
    }

    /** Restores read interest. */
    public void resumeReading() {
        if (readingPaused) {
            readingPaused = false;
            applyInterest();
        }
    }

    /** Tells the selector and poller the interest start-up allows now. */
    void applyInterest() {
        registrations.forEach(Registration::apply);
    }

    boolean isReadingPaused() {
        return readingPaused;
    }

    void forget(Registration registration) {
        registrations.remove(registration);
    }

    void handlerFailed(Registration registration, RuntimeException e) {
        log.log(System.Logger.Level.ERROR, "I/O handler failed, channel no longer watched: " + e, e);
        registration.cancel();
    }

    /** @return whether {@link #close()} ran */
    public boolean isClosed() {
        return closed;
    }

    /** Cancels every channel registration and timer of the client. Call on the loop. */
    public void close() {
        closed = true;
        registrations.forEach(Registration::stopWatching);
        registrations.clear();
        for (Timer timer : List.copyOf(timers)) {
            loop.cancel(timer);
        }
        timers.clear();
    }

    private void requireLoop() {
        if (!loop.inLoop()) {
            throw new IllegalStateException("not on the client's event loop");
        }
    }
}
