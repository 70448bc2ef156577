package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import net.control.qmp.QmpClientInfo;
import org.junit.jupiter.api.Test;

class QmpStatusTest {

    @Test
    void endpointsWithClientCountsThenOneRowPerClient() {
        List<QmpClientInfo> clients = List.of(
                new QmpClientInfo("tcp:127.0.0.1:4444", "127.0.0.1:53422", true,
                        Instant.parse("2026-11-27T07:00:01.123456Z"), 12),
                new QmpClientInfo("tcp:127.0.0.1:4444", "127.0.0.1:53430", false,
                        Instant.parse("2026-11-27T07:05:00Z"), 0));

        assertEquals("""
                ENDPOINT                CLIENTS
                tcp:127.0.0.1:4444            2
                unix:/run/patchbay.qmp        0

                CLIENT           ENDPOINT            NEGOTIATED  SINCE                 COMMANDS
                127.0.0.1:53422  tcp:127.0.0.1:4444  yes         2026-11-27T07:00:01Z        12
                127.0.0.1:53430  tcp:127.0.0.1:4444  no          2026-11-27T07:05:00Z         0
                """, QmpStatus.format(List.of("tcp:127.0.0.1:4444", "unix:/run/patchbay.qmp"), clients));
    }

    @Test
    void saysSoWhenNobodyIsConnected() {
        assertEquals("""
                ENDPOINT            CLIENTS
                tcp:127.0.0.1:4444        0

                no clients connected
                """, QmpStatus.format(List.of("tcp:127.0.0.1:4444"), List.of()));
    }
}
