package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.api.NetClientDriver;
import net.control.qmp.QmpListener;
import net.hub.NetRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qmp-shell -H} (QEMU's {@code python/qemu/qmp/qmp_shell.py}, which cannot run here without
 * PyPI): its conversation replayed message for message over a unix socket, and its parsing of the
 * answers done as it does it, so a reply it would choke on ({@code KeyError: 'return'}, an
 * {@code info} line of one word) fails here.
 *
 * <p>What the shell does: reads the greeting and prints {@code Connected to QEMU MAJOR.MINOR.MICRO};
 * negotiates with {@code qmp_capabilities}, {@code {"enable": ["oob"]}} as arguments when the
 * greeting offers oob, else {@code {}}, and requires a {@code return}; fills its completion from
 * {@code help} (each line not starting with {@code [} or a tab: the first word, an alias pair
 * {@code a|b} giving its longer half, {@code info} left out) and from {@code info} (the second word
 * of each line). Every HMP line goes as {@code human-monitor-command} with {@code cpu-index} 0 and
 * no {@code id}; {@code cpu N} checks N with {@code info version}. A {@code return} is printed when
 * it is not empty, an {@code error} as {@code CLASS: DESC}.
 */
class QmpShellConversationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private NetRuntime runtime;
    private QmpServer server;
    private QmpTestClient shell;

    @BeforeEach
    void start() throws Exception {
        runtime = new NetRuntime(1, System::getLogger);
        runtime.bindNetClientDriver(new TestDrivers.XDriver(), Map.of(NetClientDriver.TYPE, "x"));
        server = new QmpServer(runtime, "patchbay-1.0.0", () -> { }, System.getLogger("qmp-test"));
        runtime.bindNetEventListener(server);
        QmpListener listener = server.listen("unix:" + dir.resolve("qmp.sock") + ",server=on,wait=off");
        shell = QmpTestClient.connect(listener);
    }

    @AfterEach
    void stop() throws Exception {
        shell.close();
        server.close();
        runtime.close();
    }

    /** The shell's {@code _cmd_passthrough}. */
    private JsonNode passthrough(String commandLine, int cpuIndex) throws Exception {
        ObjectNode request = JSON.createObjectNode().put("execute", "human-monitor-command");
        request.putObject("arguments").put("command-line", commandLine).put("cpu-index", cpuIndex);
        return shell.execute(JSON.writeValueAsString(request));
    }

    /** {@code resp['return']}: a KeyError in the shell when there is none. */
    private static String returned(JsonNode reply) {
        assertTrue(reply.has("return"), "qmp-shell would fail with KeyError: 'return' on " + reply);
        return reply.get("return").textValue();
    }

    @Test
    void qmpShellHmpModeConnectsCompletesAndRunsCommands() throws Exception {
        JsonNode greeting = shell.next();
        JsonNode qemu = greeting.path("QMP").path("version").path("qemu");
        for (String part : List.of("major", "minor", "micro")) {
            assertTrue(qemu.path(part).isInt(), "banner needs " + part + ": " + greeting);
        }
        ObjectNode negotiate = JSON.createObjectNode().put("execute", "qmp_capabilities");
        ObjectNode arguments = negotiate.putObject("arguments");
        for (JsonNode capability : greeting.path("QMP").path("capabilities")) {
            if (capability.asText().equals("oob")) {
                arguments.putArray("enable").add("oob");
            }
        }
        JsonNode negotiated = shell.execute(JSON.writeValueAsString(negotiate));
        assertTrue(negotiated.has("return") && !negotiated.has("error"), negotiated.toString());

        List<String> completion = new ArrayList<>();
        for (String line : returned(passthrough("help", 0)).split("\r\n")) {
            if (line.isEmpty() || line.charAt(0) == '[' || line.charAt(0) == '\t') {
                continue;
            }
            String name = line.trim().split("\\s+")[0];
            if (name.equals("info")) {
                continue;
            }
            if (name.contains("|")) {
                String[] aliases = name.split("\\|");
                name = aliases[0].length() == 1 ? aliases[1] : aliases[0];
            }
            completion.add(name);
            completion.add("help " + name);
        }
        for (String line : returned(passthrough("info", 0)).split("\r\n")) {
            if (!line.isEmpty()) {
                String[] words = line.trim().split("\\s+");
                assertTrue(words.length > 1, "qmp-shell would fail with IndexError on '" + line + "'");
                completion.add("info " + words[1]);
            }
        }
        completion.add("help info");
        assertTrue(completion.containsAll(List.of("netdev_add", "help netdev_add", "netdev_del", "set_link", "quit",
                "help", "object_add", "info network", "info status", "info version")), completion.toString());
        assertFalse(completion.contains("info"), completion.toString());

        // `cpu 0`: the shell checks the index with info version.
        assertTrue(passthrough("info version", 0).has("return"));
        assertEquals("", returned(passthrough("netdev_add x,id=s0,txsession=1", 0)));
        assertEquals("", returned(passthrough("netdev_add hubport,id=h0,hubid=0,netdev=s0", 0)));
        assertEquals("hub 0\r\n \\ h0: s0: index=0,type=x,x: txsession=1\r\n", returned(passthrough("info network", 0)));
        assertEquals("VM status: running\r\n", returned(passthrough("info status", 0)));
        assertEquals("unknown command: 'frobnicate'\r\n", returned(passthrough("frobnicate", 0)));
        // `cpu 1`: Patchbay has no CPU 1, and the shell says 'bad CPU index' on the error.
        JsonNode badCpu = passthrough("info version", 1);
        assertNotNull(badCpu.get("error"), badCpu.toString());
    }
}
