package net.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import net.control.dto.CountersDTO;
import net.control.dto.EventLoopDTO;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.HubStatsDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
import net.control.dto.RateDTO;
import net.control.dto.StatisticsDTO;
import net.hub.data.Hub;
import net.hub.data.HubPort;
import net.hub.data.NetClientState;
import net.hub.data.NetFilterState;
import net.hub.loop.EventLoop;

/**
 * The DTOs queries return. What the data plane owns (peer, link, counters, the backend's info)
 * is read on the client's loop; nothing here waits for an operation in progress, so queries are
 * answered while drivers open and release, and a loop that a driver holds up costs a query
 * {@link #QUERY_TIMEOUT} at most: its clients are then shown in state {@code unknown}.
 */
final class Snapshots {

    /** How long a query waits for the loops to describe their clients. */
    static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

    private final Topology topology;
    private final System.Logger log;

    Snapshots(Topology topology, System.Logger log) {
        this.topology = topology;
        this.log = log;
    }

    NetworkDTO network() {
        Map<HubPort, String> portNames = topology.portNames();
        List<HubDTO> hubs = new ArrayList<>();
        for (Hub hub : topology.hubs()) {
            hubs.add(new HubDTO(hub.id(), names(hub.ports(), portNames, hub)));
        }
        Map<EventLoop, List<Prepared>> byLoop = new IdentityHashMap<>();
        List<ClientEntry> entries = topology.clients();
        for (int i = 0; i < entries.size(); i++) {
            ClientEntry e = entries.get(i);
            byLoop.computeIfAbsent(e.state.loop(), l -> new ArrayList<>())
                    .add(new Prepared(i, e.state, Map.copyOf(e.options), e.error));
        }
        Map<EventLoop, List<NetClientDTO>> answers = onEachLoop(byLoop,
                group -> group.stream().map(this::describe).toList());
        NetClientDTO[] described = new NetClientDTO[entries.size()]; // in creation order
        byLoop.forEach((loop, group) -> {
            List<NetClientDTO> dtos = answers.get(loop);
            for (int i = 0; i < group.size(); i++) {
                Prepared p = group.get(i);
                described[p.index] = dtos != null ? dtos.get(i) : unknown(p, loop + " did not answer within "
                        + QUERY_TIMEOUT.toSeconds() + " s");
            }
        });
        return new NetworkDTO(hubs, List.of(described));
    }

    private static List<String> names(List<HubPort> ports, Map<HubPort, String> portNames, Hub hub) {
        List<String> names = new ArrayList<>(ports.size());
        for (HubPort p : ports) {
            String name = portNames.get(p);
            names.add(name != null ? name : "hub" + hub.id() + "port?");
        }
        return names;
    }

    /**
     * The statistics: the sampler's last rates, and hub totals and loop counters read now, the
     * hubports' counters with one hand-over per loop.
     *
     * @param rates the sampler's last rates
     * @param loops the event loops
     * @return the statistics
     */
    StatisticsDTO statistics(RateSampler.Rates rates, List<EventLoop> loops) {
        // Read first: a change while this is assembled shows again in the next call.
        long generation = topology.generation();
        Map<String, RateDTO> netdevs = new LinkedHashMap<>();
        Map<String, RateDTO> nics = new LinkedHashMap<>();
        Map<EventLoop, Integer> owned = new IdentityHashMap<>();
        Map<EventLoop, List<NetClientState>> portsByLoop = new IdentityHashMap<>();
        for (ClientEntry e : topology.clients()) {
            NetClientState s = e.state;
            owned.merge(s.loop(), 1, Integer::sum);
            RateDTO rate = rates.of(s);
            if (rate != null) {
                (s.kind() == NetClientState.Kind.NIC ? nics : netdevs).put(e.name(), rate);
            }
            if (s.hubPort() != null) {
                portsByLoop.computeIfAbsent(s.loop(), l -> new ArrayList<>()).add(s);
            }
        }
        Map<EventLoop, List<CountersDTO>> answers = onEachLoop(portsByLoop,
                ports -> ports.stream().map(NetClientState::countersSnapshot).toList());
        Map<HubPort, NetClientState> portStates = new IdentityHashMap<>();
        Map<HubPort, CountersDTO> portCounters = new IdentityHashMap<>();
        portsByLoop.forEach((loop, ports) -> {
            List<CountersDTO> counters = answers.get(loop);
            for (int i = 0; i < ports.size(); i++) {
                NetClientState s = ports.get(i);
                portStates.put(s.hubPort(), s);
                if (counters != null) {
                    portCounters.put(s.hubPort(), counters.get(i));
                }
            }
        });
        Map<HubPort, String> portNames = topology.portNames();
        List<HubStatsDTO> hubs = new ArrayList<>();
        for (Hub hub : topology.hubs()) {
            hubs.add(totals(hub, portNames, portStates, portCounters, rates));
        }
        List<EventLoopDTO> loopStats = new ArrayList<>(loops.size());
        for (EventLoop loop : loops) {
            loopStats.add(new EventLoopDTO(loop.toString(), owned.getOrDefault(loop, 0), loop.iterations(),
                    loop.busyNanos(), loop.frames()));
        }
        return new StatisticsDTO(rates.time(), rates.interval(), generation, netdevs, nics, hubs, loopStats);
    }

    /** A hub's totals: its ports' counters summed (those whose loop answered), its rate their rates'. */
    private static HubStatsDTO totals(Hub hub, Map<HubPort, String> portNames, Map<HubPort, NetClientState> states,
            Map<HubPort, CountersDTO> counters, RateSampler.Rates rates) {
        List<HubPort> ports = hub.ports();
        long rxFrames = 0;
        long rxBytes = 0;
        long txFrames = 0;
        long txBytes = 0;
        int queued = 0;
        Map<String, Long> drops = new TreeMap<>();
        RateDTO rate = rates.interval() > 0 ? new RateDTO(0, 0, 0, 0, 0) : null;
        for (HubPort port : ports) {
            CountersDTO c = counters.get(port);
            if (c != null) {
                rxFrames += c.rxFrames();
                rxBytes += c.rxBytes();
                txFrames += c.txFrames();
                txBytes += c.txBytes();
                queued += c.queued();
                c.drops().forEach((reason, n) -> drops.merge(reason, n, Long::sum));
            }
            NetClientState state = states.get(port);
            RateDTO r = state == null ? null : rates.of(state);
            if (rate != null && r != null) {
                rate = plus(rate, r);
            }
        }
        return new HubStatsDTO(hub.id(), names(ports, portNames, hub), rxFrames, rxBytes, txFrames, txBytes, queued,
                drops, rate);
    }

    private static RateDTO plus(RateDTO a, RateDTO b) {
        return new RateDTO(a.rxFramesPerSecond() + b.rxFramesPerSecond(), a.rxBitsPerSecond() + b.rxBitsPerSecond(),
                a.txFramesPerSecond() + b.txFramesPerSecond(), a.txBitsPerSecond() + b.txBitsPerSecond(),
                a.dropsPerSecond() + b.dropsPerSecond());
    }

    /**
     * Runs a step on every loop, each with its own group of things to read there: one hand-over
     * per loop, not per client, and every loop asked at once, so the caller waits what the slowest
     * loop takes, and a loop stuck in a driver costs {@link #QUERY_TIMEOUT} once.
     *
     * @param groups what to read, by loop
     * @param step   the reading, run on the group's loop
     * @return what each loop answered (in the map's order), without the loops that did not answer
     *         within {@link #QUERY_TIMEOUT} (logged as warnings)
     */
    <G, T> Map<EventLoop, T> onEachLoop(Map<EventLoop, G> groups, Function<G, T> step) {
        return onEachLoop(groups, step, System.Logger.Level.WARNING);
    }

    /**
     * As {@link #onEachLoop(Map, Function)}, logging a loop that did not answer at this level.
     *
     * @param level the level of the line for each loop that did not answer
     */
    <G, T> Map<EventLoop, T> onEachLoop(Map<EventLoop, G> groups, Function<G, T> step, System.Logger.Level level) {
        Map<EventLoop, CompletableFuture<T>> asked = new IdentityHashMap<>();
        groups.forEach((loop, group) -> asked.put(loop, onLoop(loop, () -> step.apply(group))));
        long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
        Map<EventLoop, T> answers = new IdentityHashMap<>();
        asked.forEach((loop, answer) -> {
            T t = await(answer, loop, deadline, level);
            if (t != null) {
                answers.put(loop, t);
            }
        });
        return answers;
    }

    NetClientDTO describe(ClientEntry e) {
        Prepared p = new Prepared(0, e.state, Map.copyOf(e.options), e.error);
        EventLoop loop = e.state.loop();
        List<NetClientDTO> dto = await(onLoop(loop, () -> List.of(describe(p))), loop,
                System.nanoTime() + QUERY_TIMEOUT.toNanos(), System.Logger.Level.WARNING);
        return dto != null ? dto.get(0) : unknown(p, loop + " did not answer within " + QUERY_TIMEOUT.toSeconds() + " s");
    }

    /** What a client's snapshot takes from the control side, read before going to the loop; its place in the list. */
    private record Prepared(int index, NetClientState state, Map<String, Object> options, String error) {
    }

    private static <T> CompletableFuture<T> onLoop(EventLoop loop, Callable<T> step) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(step.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        };
        if (loop.inLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
        return result;
    }

    /** @return what the loop answered by the deadline, or null (logged: a timeout at {@code level}) */
    private <T> T await(CompletableFuture<T> answer, EventLoop loop, long deadline, System.Logger.Level level) {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.log(level, loop + ": no snapshot: no answer within " + QUERY_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            log.log(System.Logger.Level.WARNING, loop + ": no snapshot: " + e.getCause());
        }
        return null;
    }

    /** Call on the client's loop. */
    private NetClientDTO describe(Prepared p) {
        NetClientState s = p.state;
        NetClientState peer = s.peer();
        HubPort port = s.hubPort();
        List<FilterDTO> chain = new ArrayList<>();
        for (NetFilterState f : s.filters()) {
            chain.add(describe(f, s));
        }
        String state = s.client() != null ? "active" : p.error != null ? "failed" : "pending";
        return new NetClientDTO(s.name(), s.type(), s.kind().label(), state, p.error, s.info(),
                peer == null ? null : peer.name(), port == null ? null : port.hub().id(), s.isLinkUp(),
                p.options, s.countersSnapshot(), chain);
    }

    /** A client whose loop did not answer: what the control side knows. */
    private static NetClientDTO unknown(Prepared p, String why) {
        NetClientState s = p.state;
        return new NetClientDTO(s.name(), s.type(), s.kind().label(), "unknown", why, null, null, null,
                s.isLinkUp(), p.options, null, List.of());
    }

    /** Call on the netdev's loop. */
    private FilterDTO describe(NetFilterState f, NetClientState netdev) {
        FilterEntry fe = topology.filter(f.id());
        String error = fe == null ? null : fe.error;
        return new FilterDTO(f.id(), f.type(), netdev.name(), f.queue().qapiName(), f.isOn() ? "on" : "off",
                f.isOpen() ? "active" : error != null ? "failed" : "pending", error, f.info(),
                fe == null ? Map.of() : Map.copyOf(fe.options), f.countersSnapshot());
    }
}
