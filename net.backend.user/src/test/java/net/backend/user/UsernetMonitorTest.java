package net.backend.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import net.control.qmp.QmpCommand;
import net.qmp.server.QmpServer;
import net.testlib.Ports;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * HMP's {@code info usernet}, {@code hostfwd_add} and {@code hostfwd_remove} over
 * {@code human-monitor-command}, with QEMU 7.2's texts (taken from its monitor), forwards set up
 * and torn down at run time.
 */
@Timeout(30)
class UsernetMonitorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final UserDriver driver = new UserDriver();
    @AutoClose
    private final net.testkit.TestRuntime fx = new net.testkit.TestRuntime(2).netdevType("user", driver);
    private QmpServer server;
    private QmpUnixClient qmp;

    @BeforeEach
    void start() throws Exception {
        server = new QmpServer(fx.runtime, "patchbay-test", () -> { }, System.getLogger("qmp-test"));
        server.bindQmpCommand(new UsernetQmpCommands.Info(fx.runtime, driver.netdevs()),
                Map.of(QmpCommand.NAME, UsernetQmpCommands.Info.NAME));
        server.bindQmpCommand(new UsernetQmpCommands.Add(fx.runtime, driver.netdevs()),
                Map.of(QmpCommand.NAME, UsernetQmpCommands.Add.NAME));
        server.bindQmpCommand(new UsernetQmpCommands.Remove(fx.runtime, driver.netdevs()),
                Map.of(QmpCommand.NAME, UsernetQmpCommands.Remove.NAME));
        server.listen("unix:" + dir.resolve("qmp.sock"));
        qmp = new QmpUnixClient(dir.resolve("qmp.sock"));
    }

    @AfterEach
    void stop() {
        qmp.close();
        server.close();
    }

    private String hmp(String line) throws Exception {
        String reply = qmp.execute(JSON.writeValueAsString(Map.of("execute", "human-monitor-command",
                "arguments", Map.of("command-line", line))));
        return JSON.readTree(reply).path("return").asText().replace("\r\n", "\n");
    }

    @Test
    void forwardsComeAndGoAtRunTimeWithQemusTexts() throws Exception {
        assertEquals("user mode network stack not in use\n", hmp("hostfwd_add tcp::1-:2"));
        assertEquals("", hmp("info usernet"));
        int port = Ports.freeTcpPort();
        fx.netdev("user,id=u0");
        fx.netdev("hubport,id=h0,hubid=0,netdev=u0");

        assertEquals("", hmp("hostfwd_add tcp:127.0.0.1:" + port + "-:22"));
        assertTrue(accepts(port), "the new forward listens");
        String info = hmp("info usernet");
        assertEquals("Hub 0 (u0):", info.lines().findFirst().orElseThrow(), info);
        assertEquals("  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ",
                info.lines().skip(1).findFirst().orElseThrow(), info);
        assertTrue(info.lines().anyMatch(l -> l.matches("  TCP\\[HOST_FORWARD\\] +\\d+ +127\\.0\\.0\\.1 +" + port
                + " +10\\.0\\.2\\.15 +22 +0 +0")), info);

        assertEquals("Invalid host forwarding rule 'bogus' (No : separators)\n", hmp("hostfwd_add bogus"));
        assertEquals("unrecognized netdev id 'x'\n", hmp("hostfwd_add x tcp::1-:2"));
        assertEquals("invalid device specified\n", hmp("hostfwd_add h0 tcp::1-:2"));
        assertEquals("invalid format\n", hmp("hostfwd_remove zz"));
        assertEquals("host forwarding rule for tcp:127.0.0.1:" + port + " removed\n",
                hmp("hostfwd_remove u0 tcp:127.0.0.1:" + port));
        assertThrows(ConnectException.class, () -> accepts(port), "the removed forward is closed");
        assertEquals("host forwarding rule for tcp:127.0.0.1:" + port + " not found\n",
                hmp("hostfwd_remove tcp:127.0.0.1:" + port));
        assertEquals("hostfwd_add [netdev_id] [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport -- redirect TCP "
                + "or UDP connections from host to guest (requires -net user)\n", hmp("help hostfwd_add"));
        assertEquals("info usernet  -- show user network stack connection states\n", hmp("help info usernet"));
    }

    /** As in QEMU 7.2, {@code hostfwd} given twice on a command line sets up both rules. */
    @Test
    void everyHostfwdOfACommandLineIsSetUp() throws Exception {
        int[] ports = Ports.freeTcpPortsBelowEphemeral(2);
        fx.netdev("user,id=u1,hostfwd=tcp:127.0.0.1:" + ports[0] + "-:22,hostfwd=tcp:127.0.0.1:" + ports[1] + "-:80");
        assertTrue(accepts(ports[0]), "the first rule listens");
        assertTrue(accepts(ports[1]), "the second rule listens");
        assertEquals(2, hmp("info usernet").lines().filter(l -> l.contains("HOST_FORWARD")).count());
    }

    private static boolean accepts(int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        }
    }
}
