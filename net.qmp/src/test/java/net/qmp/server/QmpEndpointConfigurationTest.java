package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.hub.NetRuntime;
import net.testlib.RecordingLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import net.control.qmp.QmpListener;

class QmpEndpointConfigurationTest {

    private final NetRuntime runtime = new NetRuntime(1, System::getLogger);
    private final QmpServer server = new QmpServer(runtime, "patchbay-1.0.0", () -> { }, System.getLogger("qmp-test"));
    private final RecordingLog log = new RecordingLog("test");

    private List<String> errors() {
        return log.messages(System.Logger.Level.ERROR);
    }

    @AfterEach
    void stop() {
        server.close();
        runtime.close();
    }

    @Test
    void activateModifyDeactivate() throws Exception {
        QmpEndpointConfiguration config = new QmpEndpointConfiguration(server, log,
                Map.of(QmpEndpointConfiguration.ADDRESS, "tcp:127.0.0.1:0,server=on,wait=off"));
        String first = config.listener().address();
        try (QmpTestClient c = QmpTestClient.negotiated(config.listener())) {
            c.assertUsable();
        }
        config.modified(Map.of(QmpEndpointConfiguration.ADDRESS, "tcp::0,server,nowait"));
        assertNotEquals(first, config.listener().address());
        assertEquals(List.of(config.listener()), server.listeners());
        config.close();
        assertEquals(List.of(), server.listeners());
        assertEquals(List.of(), errors());
    }

    @Test
    void aFailureIsOneErrorLine() throws Exception {
        QmpListener taken = server.listen("tcp:127.0.0.1:0");
        QmpEndpointConfiguration config = new QmpEndpointConfiguration(server, log,
                Map.of(QmpEndpointConfiguration.ADDRESS, taken.address()));
        assertNull(config.listener());
        assertEquals(List.of("QMP endpoint '" + taken.address() + "': Failed to bind socket: Address already in use"), errors());
        config.modified(Map.of("service.pid", "net.qmp.endpoint~x"));
        assertTrue(errors().get(1).contains("property 'address' is missing"), errors().toString());
        config.close();
    }

    /**
     * {@code server=false} reads the address as {@code -qmp} does: without {@code server=on} the
     * endpoint connects out, and a management tool listening there gets the greeting.
     */
    @Test
    void serverFalseConnectsOutToAClientThatListens() throws Exception {
        try (ServerSocket tool = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            tool.setSoTimeout(10_000);
            QmpEndpointConfiguration config = new QmpEndpointConfiguration(server, log, Map.of(
                    QmpEndpointConfiguration.ADDRESS, "tcp:127.0.0.1:" + tool.getLocalPort(),
                    QmpEndpointConfiguration.SERVER, "false"));
            try (Socket monitor = tool.accept()) {
                String greeting = new BufferedReader(new InputStreamReader(monitor.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertTrue(greeting.startsWith("{\"QMP\": {\"version\": "), greeting);
            }
            config.close();
        }
        assertEquals(List.of(), errors());
    }

    @Test
    void serverTakesOnAndOff() {
        QmpEndpointConfiguration config = new QmpEndpointConfiguration(server, log, Map.of(
                QmpEndpointConfiguration.ADDRESS, "tcp:127.0.0.1:0", QmpEndpointConfiguration.SERVER, "maybe"));
        assertNull(config.listener());
        assertEquals(List.of("QMP endpoint 'tcp:127.0.0.1:0': Parameter 'server' expects 'on' or 'off'"), errors());
    }
}
