package net.testlib;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.api.NetFilter;
import net.api.NetFilterContext;
import net.api.NetFilterDirection;
import net.api.NetFilterDriver;

/**
 * A filter type for tests: every frame passes; {@code close} and {@code release} are recorded as
 * {@code "ID close THREAD"} and {@code "ID release THREAD"}, so a test sees where and in which
 * order the runtime called them. Its options are a type the test gives ({@link Options}: none), so
 * it can also stand in for a real filter type whose options (required ones, the QMP schema) a test
 * needs; it reads none of them.
 *
 * @param <O> the options type
 */
public final class PassFilterDriver<O> implements NetFilterDriver<O> {

    /** No options of its own. */
    public record Options() {
    }

    private final Class<O> optionsType;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    /** @param optionsType the options it takes, {@link Options} for none */
    public PassFilterDriver(Class<O> optionsType) {
        this.optionsType = optionsType;
    }

    /** @return the recorded calls, in order */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** Forgets the calls recorded so far. */
    public void clearCalls() {
        calls.clear();
    }

    @Override
    public Class<O> optionsType() {
        return optionsType;
    }

    @Override
    public NetFilter open(O options, NetFilterContext context) {
        String id = context.id();
        return new NetFilter() {
            @Override
            public boolean filter(ByteBuffer frame, NetFilterDirection direction) {
                return true;
            }

            @Override
            public String info() {
                return "";
            }

            @Override
            public void close() {
                calls.add(id + " close " + Thread.currentThread().getName());
            }

            @Override
            public void release() {
                calls.add(id + " release " + Thread.currentThread().getName());
            }
        };
    }
}
