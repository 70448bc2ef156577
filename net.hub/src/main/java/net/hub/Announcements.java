package net.hub;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.control.Section;
import net.hub.data.Announcement;

/**
 * {@code announce-self}: the announcements running, by id, as QEMU keeps them: one with the id of
 * a running one replaces it, others run side by side. Each starts on the NICs there now.
 */
final class Announcements {

    private final Topology topology;
    private final ClientLifecycle lifecycle;
    private final Map<String, Announcement> running = new HashMap<>();

    Announcements(Topology topology, ClientLifecycle lifecycle) {
        this.topology = topology;
        this.lifecycle = lifecycle;
    }

    /**
     * Starts an announcement; the first round is sent when this returns.
     *
     * @param interfaces the names of the NICs that announce, or null for all
     * @param id         the announcement's id (QEMU's default is the empty string)
     */
    void announce(long initial, long max, long rounds, long step, List<String> interfaces, String id) {
        String key = id == null ? "" : id;
        Announcement a = new Announcement(initial, max, rounds, step, done -> finished(key, done));
        Announcement replaced;
        synchronized (running) {
            replaced = running.put(key, a);
        }
        if (replaced != null) {
            replaced.cancel();
        }
        for (ClientEntry e : topology.clients()) {
            if (e.section == Section.DEVICE && (interfaces == null || interfaces.contains(e.name()))) {
                lifecycle.quietly(() -> lifecycle.onLoop(e.state.loop(), () -> {
                    a.start(e.state);
                    return null;
                }));
            }
        }
        a.started();
    }

    private void finished(String id, Announcement a) {
        synchronized (running) {
            running.remove(id, a);
        }
    }
}
