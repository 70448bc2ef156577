package net.hub;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.control.dto.FilterDTO;
import net.control.dto.HubDTO;
import net.control.dto.NetClientDTO;
import net.control.dto.NetworkDTO;
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
            List<HubPort> ports = hub.ports();
            List<String> names = new ArrayList<>(ports.size());
            for (HubPort p : ports) {
                String name = portNames.get(p);
                names.add(name != null ? name : "hub" + hub.id() + "port?");
            }
            hubs.add(new HubDTO(hub.id(), names));
        }
        // One hand-over per loop, not per client, and every loop asked at once: the query costs
        // what the slowest loop takes, and a loop stuck in a driver costs QUERY_TIMEOUT once.
        Map<EventLoop, List<Prepared>> byLoop = new IdentityHashMap<>();
        List<ClientEntry> entries = topology.clients();
        for (int i = 0; i < entries.size(); i++) {
            ClientEntry e = entries.get(i);
            byLoop.computeIfAbsent(e.state.loop(), l -> new ArrayList<>())
                    .add(new Prepared(i, e.state, Map.copyOf(e.options), e.error));
        }
        Map<EventLoop, CompletableFuture<List<NetClientDTO>>> asked = new IdentityHashMap<>();
        byLoop.forEach((loop, group) -> asked.put(loop, onLoop(loop, () -> group.stream().map(this::describe).toList())));
        long deadline = System.nanoTime() + QUERY_TIMEOUT.toNanos();
        NetClientDTO[] described = new NetClientDTO[entries.size()]; // in creation order
        byLoop.forEach((loop, group) -> {
            List<NetClientDTO> dtos = await(asked.get(loop), loop, deadline);
            for (int i = 0; i < group.size(); i++) {
                Prepared p = group.get(i);
                described[p.index] = dtos != null ? dtos.get(i) : unknown(p, loop + " did not answer within "
                        + QUERY_TIMEOUT.toSeconds() + " s");
            }
        });
        return new NetworkDTO(hubs, List.of(described));
    }

    NetClientDTO describe(ClientEntry e) {
        Prepared p = new Prepared(0, e.state, Map.copyOf(e.options), e.error);
        EventLoop loop = e.state.loop();
        List<NetClientDTO> dto = await(onLoop(loop, () -> List.of(describe(p))), loop,
                System.nanoTime() + QUERY_TIMEOUT.toNanos());
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

    /** @return what the loop answered by the deadline, or null (logged) */
    private <T> T await(CompletableFuture<T> answer, EventLoop loop, long deadline) {
        try {
            return answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.log(System.Logger.Level.WARNING, loop + ": no snapshot: " + (e instanceof TimeoutException
                    ? "no answer within " + QUERY_TIMEOUT.toSeconds() + " s" : e.getCause()));
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
