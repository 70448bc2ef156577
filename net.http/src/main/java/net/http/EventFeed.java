package net.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.control.NetControl;
import net.control.NetEventListener;
import net.control.dto.StatisticsDTO;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * What {@code /events} sends to every page, from one ticker however many pages listen: each second
 * one {@code stats} event ({@link NetControl#statistics()}), a {@code topology} event
 * ({@link NetControl#network()}) when the statistics' generation moved, and {@code captures} when
 * the page's captures changed; each runtime event at once as an {@code event} event, followed by
 * the topology it changed (one for a burst of events). A page that connects gets the topology, the captures and the statistics
 * first. Nothing is asked of the runtime while no page listens.
 */
@Component(service = EventFeed.class)
public final class EventFeed implements NetEventListener {

    private final NetControl control;
    private final PageCaptures captures;
    private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
    /** Runs every call to the runtime and every broadcast, so that pages see them in order. */
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("patchbay-http-ticker").daemon().factory());
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    // Ticker thread only.
    private long drawn = Long.MIN_VALUE;
    private String capturesSent = "";

    /**
     * This feed as the runtime's event listener. Registered here, once the runtime is active, and
     * not as a component's service: the runtime binds every listener while it activates, so a
     * listener component that needs the runtime would be activated from inside that activation
     * (SCR: "Circular reference detected").
     */
    private final ServiceRegistration<NetEventListener> listening;

    @Activate
    public EventFeed(BundleContext context, @Reference NetControl control, @Reference PageCaptures captures) {
        this.control = control;
        this.captures = captures;
        ticker.scheduleAtFixedRate(guarded(this::tick), 1, 1, TimeUnit.SECONDS);
        listening = context.registerService(NetEventListener.class, this, null);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        listening.unregister();
        ticker.shutdownNow();
        // A page joining right now is added by a task that may still be running.
        ticker.awaitTermination(5, TimeUnit.SECONDS);
        clients.forEach(SseClient::close);
        clients.clear();
    }

    /** @param client a page that just connected: it gets the whole picture, then every broadcast */
    void join(SseClient client) {
        boolean queued = run(() -> {
            // A change since the last tick goes to every page now, not only to this one.
            StatisticsDTO first = control.statistics();
            byte[] topology = topology();
            if (first.generation() != drawn) {
                drawn = first.generation();
                broadcast(topology);
            }
            byte[] state = SseClient.frame("captures", json(captures.state()));
            byte[] stats = SseClient.frame("stats", json(first));
            if (client.offer(topology) && client.offer(state) && client.offer(stats)) {
                clients.add(client);
            }
        });
        if (!queued) {
            client.close();
        }
    }

    @Override
    public void event(String name, Map<String, Object> data, Instant time) {
        // A runtime thread: hand over, return at once.
        run(() -> {
            if (clients.isEmpty()) {
                return;
            }
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("event", name);
            event.put("data", data);
            event.put("timestamp", time);
            broadcast(SseClient.frame("event", json(event)));
        });
        // One redraw for a burst of events: the refresh already queued runs after all of them.
        if (refreshQueued.compareAndSet(false, true)) {
            run(() -> {
                refreshQueued.set(false);
                if (!clients.isEmpty()) {
                    broadcast(topology());
                }
            });
        }
    }

    private void tick() {
        if (clients.isEmpty()) {
            return;
        }
        StatisticsDTO stats = control.statistics();
        if (stats.generation() != drawn) {
            drawn = stats.generation();
            broadcast(topology());
        }
        String state = json(captures.state());
        if (!state.equals(capturesSent)) {
            capturesSent = state;
            broadcast(SseClient.frame("captures", state));
        }
        broadcast(SseClient.frame("stats", json(stats)));
    }

    private byte[] topology() {
        return SseClient.frame("topology", json(control.network()));
    }

    private void broadcast(byte[] frame) {
        clients.removeIf(c -> !c.offer(frame));
    }

    /** @return false when the feed is deactivated meanwhile and the task will not run */
    private boolean run(Runnable task) {
        try {
            ticker.execute(guarded(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** One failed tick must not end the schedule (an exception would cancel it). */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                System.getLogger(EventFeed.class.getName()).log(System.Logger.Level.ERROR,
                        "topology page feed failed: " + e, e);
            }
        };
    }

    private static String json(Object value) {
        try {
            return HttpJson.DTO.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
