package net.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.control.dto.RateDTO;
import net.hub.data.ClientCounters.Sample;
import net.hub.data.NetClientState;
import net.hub.loop.EventLoop;

/**
 * Every client's rates, measured by sampling all counters once a {@link #PERIOD} on a thread of
 * its own: a front end then reads every rate at once instead of polling each netdev, and all front
 * ends show the same numbers. A sample costs one hand-over per loop; nothing is counted per frame
 * beyond the counters that exist anyway. It samples only while someone reads the rates: the first
 * read after {@link #IDLE} without one starts it again (that read, and those of the next period,
 * find no rates yet), so a runtime nobody watches spends nothing on them, however many netdevs
 * it has (at 10 000, sampling always cost 3 % of a CPU).
 */
final class RateSampler implements AutoCloseable {

    /** How often the counters are sampled. */
    static final Duration PERIOD = Duration.ofSeconds(1);
    /** How long sampling goes on after the last read of the rates, unless told otherwise. */
    static final Duration IDLE = Duration.ofSeconds(60);
    private static final Rates NONE_YET = new Rates(Instant.EPOCH, 0, Map.of());

    /**
     * The rates of the last interval.
     *
     * @param time     when the interval ended
     * @param interval its length in seconds; 0 before the first
     * @param byClient each client's rates over it (clients that the interval's end found)
     */
    record Rates(Instant time, double interval, Map<NetClientState, RateDTO> byClient) {

        /** @return the client's rates, or null when the last sample did not find it */
        RateDTO of(NetClientState client) {
            return byClient.get(client);
        }
    }

    private final Topology topology;
    private final Snapshots snapshots;
    private final System.Logger log;
    private final ScheduledExecutorService thread;
    private final long idleNanos;
    /** Each client's counters at the last sample, by identity: a netdev made again has new ones. Sampler thread only. */
    private Map<NetClientState, Sample> previous = new IdentityHashMap<>();
    /** When the last sample was taken; sampler thread only. */
    private long previousNanos;
    private boolean sampled;
    private volatile Rates rates = NONE_YET;
    /** When the rates were last read ({@link System#nanoTime()}). */
    private volatile long lastRead;
    /** The periodic sampling while it runs, else null; guarded by this. */
    private ScheduledFuture<?> sampling;
    private boolean closed;

    RateSampler(Topology topology, Snapshots snapshots, System.Logger log) {
        this(topology, snapshots, log, IDLE);
    }

    /** @param idle how long sampling goes on after the last read */
    RateSampler(Topology topology, Snapshots snapshots, System.Logger log, Duration idle) {
        this.idleNanos = idle.toNanos();
        this.topology = topology;
        this.snapshots = snapshots;
        this.log = log;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("patchbay-rates").factory());
    }

    /** @return the rates of the last interval; none (interval 0) when sampling has just started */
    Rates rates() {
        lastRead = System.nanoTime();
        synchronized (this) {
            if (sampling == null && !closed) {
                // The first sample, at once, is the baseline the first rates are measured from.
                sampling = thread.scheduleAtFixedRate(this::sample, 0, PERIOD.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        return rates;
    }

    private void sample() {
        synchronized (this) {
            // Checked under the lock rates() starts sampling with: a read either keeps this
            // sampling going or comes after its end and starts it again.
            if (System.nanoTime() - lastRead > idleNanos) {
                sampling.cancel(false);
                sampling = null;
                previous = new IdentityHashMap<>();
                sampled = false;
                rates = NONE_YET;
                return;
            }
        }
        try {
            takeSample();
        } catch (RuntimeException e) {
            // The executor would never run a task that threw again: log, and go on next time.
            log.log(System.Logger.Level.ERROR, "sampling counters failed: " + e, e);
        }
    }

    private void takeSample() {
        Map<EventLoop, List<NetClientState>> byLoop = new IdentityHashMap<>();
        for (ClientEntry e : topology.clients()) {
            byLoop.computeIfAbsent(e.state.loop(), l -> new ArrayList<>()).add(e.state);
        }
        // A loop that a driver holds up misses its sample every second: no warning each time.
        Map<EventLoop, List<Sample>> answers = snapshots.onEachLoop(byLoop, clients -> {
            long now = System.nanoTime();
            return clients.stream().map(c -> c.sample(now)).toList();
        }, System.Logger.Level.DEBUG);
        long now = System.nanoTime();
        Map<NetClientState, Sample> next = new IdentityHashMap<>();
        Map<NetClientState, RateDTO> byClient = new IdentityHashMap<>();
        byLoop.forEach((loop, clients) -> {
            List<Sample> samples = answers.get(loop);
            for (int i = 0; i < clients.size(); i++) {
                NetClientState client = clients.get(i);
                Sample then = previous.get(client);
                if (samples == null) {
                    if (then != null) {
                        next.put(client, then); // its loop did not answer: measure from here next time
                    }
                    continue;
                }
                Sample sample = samples.get(i);
                next.put(client, sample);
                if (sampled) {
                    // A client made since the last sample has counted everything since then.
                    byClient.put(client, sample.since(then != null ? then : Sample.zero(previousNanos)));
                }
            }
        });
        if (sampled) {
            rates = new Rates(Instant.now(), (now - previousNanos) / 1e9, byClient);
        }
        previous = next;
        previousNanos = now;
        sampled = true;
    }

    /** @return whether it samples now (asking does not count as a read) */
    synchronized boolean sampling() {
        return sampling != null;
    }

    /** Stops sampling; the last rates stay. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        thread.shutdownNow();
    }
}
