package net.hub.loop;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A control step run on an event loop while a control thread waits for it, with a deadline. When
 * the waiter gives up, a step still queued never runs, and a step already running hands what it
 * produced to a late handler on the loop instead (an open that finished after its timeout is closed
 * there, not left running unowned).
 *
 * @param <T> what the step produces
 */
final class LoopCall<T> implements Runnable {

    private static final int QUEUED = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int ABANDONED = 3;

    private final Callable<T> step;
    private final Consumer<? super T> late;
    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final CountDownLatch done = new CountDownLatch(1);
    private T result;
    private Exception failure;

    LoopCall(Callable<T> step, Consumer<? super T> late) {
        this.step = step;
        this.late = late;
    }

    @Override
    public void run() {
        if (!state.compareAndSet(QUEUED, RUNNING)) {
            return; // the waiter gave up before the loop came to it
        }
        T value = null;
        Exception error = null;
        try {
            value = step.call();
        } catch (Exception e) {
            error = e;
        }
        if (state.compareAndSet(RUNNING, DONE)) {
            result = value;
            failure = error;
            done.countDown();
        } else if (value != null) {
            late.accept(value);
        }
    }

    /**
     * Gives the step up unless the loop has come to it.
     *
     * @return whether it was still queued (it will not run now)
     */
    boolean abandonQueued() {
        return state.compareAndSet(QUEUED, ABANDONED);
    }

    /**
     * @param timeout how long to wait
     * @param loop    the loop's name, for the timeout's message
     * @return what the step produced
     * @throws Exception what the step threw, or a TimeoutException when it did not finish in time
     *                   (the step is then abandoned: it does not run, or its result goes to the
     *                   late handler)
     */
    T await(Duration timeout, String loop) throws Exception {
        boolean finished = done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (!finished && (state.compareAndSet(QUEUED, ABANDONED) || state.compareAndSet(RUNNING, ABANDONED))) {
            throw new TimeoutException(loop + " did not answer within " + seconds(timeout) + " s");
        }
        done.await(); // it finished between the deadline and the abandonment: take the result
        if (failure != null) {
            throw failure;
        }
        return result;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? String.valueOf(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }
}
