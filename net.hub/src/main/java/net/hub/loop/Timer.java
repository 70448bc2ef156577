package net.hub.loop;

import net.api.NetEventLoop;

/** A task due at a deadline on one loop; ordered by deadline, then by scheduling order. */
final class Timer implements Comparable<Timer>, NetEventLoop.Cancellable {

    private final EventLoop loop;
    private final Runnable task;
    final long deadline;
    private final long sequence;
    private Runnable onDone;

    Timer(EventLoop loop, Runnable task, long deadline, long sequence) {
        this.loop = loop;
        this.task = task;
        this.deadline = deadline;
        this.sequence = sequence;
    }

    void onDone(Runnable hook) {
        this.onDone = hook;
    }

    void fire() {
        try {
            task.run();
        } finally {
            if (onDone != null) {
                onDone.run();
            }
        }
    }

    @Override
    public void cancel() {
        if (loop.inLoop()) {
            loop.cancel(this);
            if (onDone != null) {
                onDone.run();
            }
        } else {
            loop.execute(this::cancel);
        }
    }

    @Override
    public int compareTo(Timer other) {
        int byDeadline = Long.compare(deadline - other.deadline, 0);
        return byDeadline != 0 ? byDeadline : Long.compare(sequence, other.sequence);
    }
}
