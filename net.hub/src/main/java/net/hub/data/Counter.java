package net.hub.data;

import java.util.concurrent.atomic.LongAdder;
import net.api.NetCounter;

/** A counter a backend or filter asked for by name; incremented on its loop, read by queries. */
final class Counter implements NetCounter {

    private final LongAdder value = new LongAdder();

    @Override
    public void increment() {
        value.increment();
    }

    @Override
    public void add(long n) {
        value.add(n);
    }

    @Override
    public long get() {
        return value.sum();
    }
}
