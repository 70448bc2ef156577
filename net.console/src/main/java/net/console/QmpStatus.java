package net.console;

import java.time.temporal.ChronoUnit;
import java.util.List;
import net.control.qmp.QmpClientInfo;

/**
 * The QMP server's state for people: its endpoints with their client counts, then one row per
 * connected client.
 */
public final class QmpStatus {

    private QmpStatus() {
    }

    /**
     * @param endpoints the open endpoints' addresses ({@link net.control.qmp.QmpListener#address()})
     * @param clients   the connected clients
     * @return the text, every line ending with a newline
     */
    public static String format(List<String> endpoints, List<QmpClientInfo> clients) {
        Table listening = new Table("ENDPOINT", "CLIENTS");
        for (String endpoint : endpoints) {
            listening.row(endpoint, clients.stream().filter(c -> endpoint.equals(c.endpoint())).count());
        }
        if (clients.isEmpty()) {
            return listening + "\nno clients connected\n";
        }
        Table connected = new Table("CLIENT", "ENDPOINT", "NEGOTIATED", "SINCE", "COMMANDS");
        for (QmpClientInfo c : clients) {
            // Seconds are enough to recognise a session; the nanoseconds are noise.
            connected.row(c.peer(), c.endpoint(), c.negotiated() ? "yes" : "no",
                    c.since() == null ? null : c.since().truncatedTo(ChronoUnit.SECONDS), c.commands());
        }
        return listening + "\n" + connected;
    }
}
