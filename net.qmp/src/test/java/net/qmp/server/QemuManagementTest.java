package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import net.api.NetClientDriver;
import net.api.NetFilterDriver;
import net.control.qmp.QmpListener;
import net.hub.NetRuntime;
import net.testlib.Await;
import net.testlib.Installed;
import net.testlib.PassFilterDriver;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same QMP requests and HMP lines given to Patchbay and to a real
 * {@code qemu-system-x86_64 -M none} (7.2): the replies must be equal, JSON value for JSON value
 * (the JSON spacing is the writer's business, tested elsewhere). Only what QEMU answers
 * deterministically is compared; {@code help} and {@code info} list fewer commands in Patchbay,
 * so each of its lines must be one of QEMU's.
 */
@QemuTest
@Timeout(120)
class QemuManagementTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Program qemu;
    private QmpTestClient qemuClient;
    private NetRuntime runtime;
    private QmpServer server;
    private QmpTestClient patchbay;
    private final AtomicInteger quits = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        Installed.require(Qemu.BINARY);
        Path socket = dir.resolve("qemu-qmp.sock");
        qemu = Qemu.startWithQmp(dir, "qemu-qmp", socket);
        qemuClient = QmpTestClient.connect(socket);
        negotiate(qemuClient);

        runtime = new NetRuntime(1, System::getLogger);
        // A pass-through filter with filter-dump's options stands for the capture bundle.
        runtime.bindNetFilterDriver(new PassFilterDriver<>(TestDrivers.DumpOptions.class), Map.of(NetFilterDriver.TYPE, "filter-dump"));
        server = new QmpServer(runtime, "patchbay-1.0.0", quits::incrementAndGet, System.getLogger("qmp-test"));
        runtime.bindNetEventListener(server);
        QmpListener listener = server.listen("unix:" + dir.resolve("patchbay-qmp.sock") + ",server=on,wait=off");
        patchbay = QmpTestClient.connect(listener);
        negotiate(patchbay);
    }

    private static void negotiate(QmpTestClient client) throws Exception {
        assertTrue(client.next().has("QMP"));
        assertEquals(JSON.readTree("{}"), client.execute("{\"execute\": \"qmp_capabilities\"}").get("return"));
    }

    @AfterEach
    void stop() throws Exception {
        if (patchbay != null) {
            patchbay.close();
            server.close();
            runtime.close();
        }
        if (qemuClient != null) {
            qemuClient.close();
        }
        if (qemu != null) {
            qemu.close();
        }
    }

    /** Gives the request to both; their replies must be equal. */
    private JsonNode both(String request) throws Exception {
        JsonNode expected = qemuClient.execute(request);
        JsonNode actual = patchbay.execute(request);
        assertEquals(expected, actual, request);
        return actual;
    }

    private static String hmpRequest(String commandLine) throws Exception {
        return "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                + JSON.writeValueAsString(commandLine) + "}}";
    }

    /** HMP lines on a hub port {@code h1}; every one answered as QEMU answers it. */
    private static final List<String> HMP = List.of(
            "info status", "info status extra", "info name", "info network", "info network x", "info foo", "foo", "",
            "   ", "help foo", "help info status", "help info network", "help info nope", "help quit", "help q",
            "? set_link", "help help", "help netdev_del", "help set_link", "help object_add", "help object_del",
            "help device_add", "help device_del", "help qom-get", "help qom-set", "help info version",
            "set_link", "set_link h1", "set_link h1 maybe", "set_link h1 on extra", "set_link h9 off",
            "set_link h1 off", "set_link \"h1\" on", "netdev_del", "netdev_del h9", "object_del", "object_del f9",
            "device_del", "device_del n9", "quit now", "q now", "netdev_add hubport,id=h2,hubid=1 extra",
            "netdev_add hubport,id=h3", "netdev_add hubport,id=h2,hubid=1", "netdev_del h2", "netdev_del h2",
            "qom-get /objects/f9 status", "qom-get f9 status", "qom-get f9", "qom-set -j f9 status \"on\"",
            "qom-set -x f9 status on", "netdev_del \"h1", "netdev_del \"h\\q\"", "set_link h1 true",
            "help getfd", "help closefd", "getfd", "getfd x", "getfd 1x", "getfd x y", "closefd", "closefd x",
            "closefd x y");

    @Test
    void hmpLinesAnsweredAsQemu() throws Exception {
        both("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}}");
        for (String line : HMP) {
            both(hmpRequest(line));
        }
        // Patchbay has fewer commands: each of its help lines is QEMU's.
        for (String line : List.of("help", "info", "help info")) {
            List<String> qemuLines = List.of(qemuClient.execute(hmpRequest(line)).get("return").asText().split("\r\n"));
            String ours = patchbay.execute(hmpRequest(line)).get("return").asText();
            assertTrue(ours.endsWith("\r\n"), ours);
            for (String own : ours.split("\r\n")) {
                // netdev_add lists the installed types where QEMU lists those compiled in.
                if (!own.startsWith("netdev_add ")) {
                    assertTrue(qemuLines.contains(own), line + ": " + own);
                }
            }
        }
    }

    @Test
    void statusNameAndQomAsQemu() throws Exception {
        both("{\"execute\": \"query-status\"}");
        both("{\"execute\": \"query-name\"}");
        both("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}}");
        both("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-dump\", \"id\": \"f0\","
                + " \"netdev\": \"h1\", \"file\": " + JSON.writeValueAsString(dir.resolve("f0.pcap").toString()) + "}}");
        String get = "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"%s\", \"property\": \"%s\"}}";
        String set = "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"%s\", \"property\": \"%s\", \"value\": %s}}";
        List<String> requests = new ArrayList<>(List.of(
                get.formatted("/objects/f0", "status"),
                set.formatted("/objects/f0", "status", "\"off\""),
                get.formatted("/objects/f0", "status"),
                get.formatted("f0", "status"),
                set.formatted("f0", "status", "\"on\""),
                get.formatted("/objects/f0/", "status"),
                set.formatted("/objects/f0", "status", "\"bogus\""),
                set.formatted("/objects/f0", "status", "true"),
                get.formatted("/objects/f0", "nosuch"),
                set.formatted("/objects/f0", "nosuch", "\"x\""),
                get.formatted("/objects/f9", "status"),
                set.formatted("/objects/f9", "status", "\"on\""),
                get.formatted("/", "status"),
                get.formatted("", "status"),
                get.formatted("/objects/f0", "type"),
                get.formatted("/objects/f0", "netdev"),
                get.formatted("/objects/f0", "queue"),
                get.formatted("/objects/f0", "file"),
                "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/objects/f0\"}}",
                "{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"status\"}}",
                hmpRequest("qom-set f0 status off"),
                hmpRequest("qom-get f0 status"),
                hmpRequest("qom-set f0 status bogus"),
                hmpRequest("qom-get f0 nosuch"),
                hmpRequest("qom-set -j f0 status on"),
                hmpRequest("qom-set -j f0 status \"off\""),
                hmpRequest("qom-set -j f0 status true"),
                hmpRequest("qom-set f0 status"),
                hmpRequest("qom-get f0 status")));
        for (String request : requests) {
            both(request);
        }
    }

    /** Commands and events whose schema Patchbay states as QEMU 7.2's. */
    private static final List<String> SAME_SCHEMA = List.of("qmp_capabilities", "query-version", "query-commands",
            "query-status", "query-name", "quit", "qom-get", "qom-set", "netdev_del", "set_link", "query-rx-filter",
            "object-del", "device_add", "device_del", "human-monitor-command", "getfd", "closefd", "add-fd",
            "remove-fd", "query-fdsets", "SHUTDOWN", "DEVICE_DELETED",
            "NIC_RX_FILTER_CHANGED", "NETDEV_STREAM_CONNECTED", "NETDEV_STREAM_DISCONNECTED");

    @Test
    void schemaStatesQemusTypesWithTheMaskedNamesResolved() throws Exception {
        // Stand-ins for the drivers of the other types both have (net.qmp's tests do without the
        // real ones): a type QEMU has is stated as QEMU states it, whatever its driver's record holds.
        for (String type : List.of("tap", "bridge", "l2tpv3", "vde", "socket", "stream", "dgram")) {
            runtime.bindNetClientDriver(new TestDrivers.XDriver(), Map.of(NetClientDriver.TYPE, type));
        }
        for (String type : List.of("filter-buffer", "filter-mirror", "filter-redirector")) {
            runtime.bindNetFilterDriver(new PassFilterDriver<>(TestDrivers.XFilterOptions.class),
                    Map.of(NetFilterDriver.TYPE, type));
        }
        Map<String, JsonNode> qemuSchema = schema(qemuClient);
        Map<String, JsonNode> ours = schema(patchbay);
        for (String name : SAME_SCHEMA) {
            assertEquals(resolved(qemuSchema, name), resolved(ours, name), name);
        }
        for (String type : List.of("hubport", "tap", "bridge", "l2tpv3", "vde", "dgram")) {
            assertEquals(branch(qemuSchema, "netdev_add", type), branch(ours, "netdev_add", type), type);
        }
        // socket and stream: QEMU's members, then Patchbay's additions from later QEMUs.
        assertEquals(branch(qemuSchema, "netdev_add", "socket"),
                withoutMembers(branch(ours, "netdev_add", "socket"), "reconnect"));
        assertEquals(branch(qemuSchema, "netdev_add", "stream"),
                withoutMembers(branch(ours, "netdev_add", "stream"), "reconnect", "reconnect-ms"));
        for (String type : List.of("filter-dump", "filter-buffer", "filter-mirror", "filter-redirector")) {
            assertEquals(branch(qemuSchema, "object-add", type), branch(ours, "object-add", type), type);
        }
    }

    /** @return a resolved object type without the named members, which must be its last */
    private static JsonNode withoutMembers(JsonNode type, String... names) {
        com.fasterxml.jackson.databind.node.ArrayNode members = (com.fasterxml.jackson.databind.node.ArrayNode)
                type.get("members");
        for (int i = names.length - 1; i >= 0; i--) {
            assertEquals(names[i], members.get(members.size() - 1).get("name").asText(), type.toString());
            members.remove(members.size() - 1);
        }
        return type;
    }

    private static Map<String, JsonNode> schema(QmpTestClient client) throws Exception {
        Map<String, JsonNode> byName = new java.util.HashMap<>();
        client.execute("{\"execute\": \"query-qmp-schema\"}").get("return")
                .forEach(e -> byName.put(e.get("name").asText(), e));
        return byName;
    }

    private static JsonNode branch(Map<String, JsonNode> schema, String command, String tagValue) {
        for (JsonNode variant : schema.get(schema.get(command).get("arg-type").asText()).get("variants")) {
            if (variant.get("case").asText().equals(tagValue)) {
                return resolvedType(schema, variant.get("type").asText());
            }
        }
        throw new AssertionError("no branch " + tagValue + " of " + command);
    }

    /** An entity with every type name replaced by the type itself, so masked names do not matter. */
    private static JsonNode resolved(Map<String, JsonNode> schema, String name) {
        JsonNode entity = schema.get(name);
        com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
        out.put("meta-type", entity.get("meta-type").asText());
        for (String key : List.of("arg-type", "ret-type")) {
            if (entity.has(key)) {
                out.set(key, resolvedType(schema, entity.get(key).asText()));
            }
        }
        return out;
    }

    private static JsonNode resolvedType(Map<String, JsonNode> schema, String name) {
        JsonNode type = schema.get(name);
        com.fasterxml.jackson.databind.node.ObjectNode out = JSON.createObjectNode();
        String meta = type.get("meta-type").asText();
        out.put("meta-type", meta);
        switch (meta) {
            case "builtin" -> out.put("name", name);
            case "enum" -> out.set("values", type.get("values"));
            case "array" -> out.set("element", resolvedType(schema, type.get("element-type").asText()));
            default -> {
                com.fasterxml.jackson.databind.node.ArrayNode members = out.putArray("members");
                for (JsonNode m : type.path("members")) {
                    members.addObject().put("name", m.get("name").asText()).put("optional", m.has("default"))
                            .set("type", resolvedType(schema, m.get("type").asText()));
                }
                if (type.has("tag")) {
                    out.put("tag", type.get("tag").asText());
                    com.fasterxml.jackson.databind.node.ObjectNode variants = out.putObject("variants");
                    type.get("variants").forEach(v -> variants.set(v.get("case").asText(),
                            resolvedType(schema, v.get("type").asText())));
                }
            }
        }
        return out;
    }

    @Test
    void quitSendsShutdownBeforeItsReplyAsQemu() throws Exception {
        for (QmpTestClient client : List.of(qemuClient, patchbay)) {
            JsonNode reply = client.execute("{\"execute\": \"quit\", \"id\": 1}");
            assertEquals(JSON.readTree("{\"return\": {}, \"id\": 1}"), reply);
            List<JsonNode> seen = client.received();
            JsonNode event = seen.get(seen.size() - 2);
            assertEquals("SHUTDOWN", event.path("event").asText(), seen.toString());
            assertEquals(JSON.readTree("{\"guest\": false, \"reason\": \"host-qmp-quit\"}"), event.get("data"));
        }
        assertEquals(0, qemu.await(20), qemu::describe);
        Await.until(() -> quits.get() == 1, Duration.ofSeconds(QmpTestClient.TIMEOUT_SECONDS), "Patchbay's quit");
    }
}
