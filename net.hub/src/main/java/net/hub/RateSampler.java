package net.hub;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.control.dto.RateDTO;
import net.hub.data.ClientCounters.Sample;
import net.hub.data.NetClientState;
import net.hub.loop.EventLoop;

/**
 * Every client's rates, measured by sampling all counters once a {@link #PERIOD} on a thread of
 * its own, whether anyone asks or not: a front end then reads every rate at once instead of
 * polling each netdev, and all front ends show the same numbers. A sample costs one hand-over per
 * loop; nothing is counted per frame beyond the counters that exist anyway.
 */
final class RateSampler implements AutoCloseable {

    /** How often the counters are sampled. */
    static final Duration PERIOD = Duration.ofSeconds(1);

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
    /** Each client's counters at the last sample, by identity: a netdev made again has new ones. Sampler thread only. */
    private Map<NetClientState, Sample> previous = new IdentityHashMap<>();
    /** When the last sample was taken; sampler thread only. */
    private long previousNanos;
    private boolean sampled;
    private volatile Rates rates = new Rates(Instant.now(), 0, Map.of());

    RateSampler(Topology topology, Snapshots snapshots, System.Logger log) {
        this.topology = topology;
        this.snapshots = snapshots;
        this.log = log;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("patchbay-rates").factory());
        // The first sample, at once, is the baseline the first rates are measured from.
        thread.scheduleAtFixedRate(this::sample, 0, PERIOD.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** @return the rates of the last interval */
    Rates rates() {
        return rates;
    }

    private void sample() {
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

    /** Stops sampling; the last rates stay. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
