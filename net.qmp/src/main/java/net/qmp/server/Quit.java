package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import net.control.NetEventListener;

/**
 * QMP {@code quit} and HMP {@code quit}: as QEMU 7.2, {@code SHUTDOWN} goes to every negotiated
 * client before the reply, and Patchbay stops once the reply is written. The event's data is the
 * one a stop on a signal sends too ({@link QmpServer#hostSignal()}).
 */
final class Quit {

    /** QEMU's event when it is about to stop. */
    static final String SHUTDOWN = "SHUTDOWN";

    private final NetEventListener events;
    private final Runnable stop;

    /**
     * @param events where the {@code SHUTDOWN} event goes (every session)
     * @param stop   stops Patchbay
     */
    Quit(NetEventListener events, Runnable stop) {
        this.events = events;
        this.stop = stop;
    }

    /**
     * @param reply the command's return value
     * @return the outcome that stops Patchbay after its reply
     */
    QmpCommands.Outcome run(JsonNode reply) {
        events.event(SHUTDOWN, data("host-qmp-quit"), Instant.now());
        return new QmpCommands.Outcome(reply, stop);
    }

    /**
     * @param reason QAPI's {@code ShutdownCause}
     * @return the data of QEMU's {@code SHUTDOWN} event when no guest asked for it
     */
    static Map<String, Object> data(String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("guest", false);
        data.put("reason", reason);
        return data;
    }
}
