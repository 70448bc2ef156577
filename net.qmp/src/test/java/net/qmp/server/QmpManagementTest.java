package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.api.NetClientDriver;
import net.control.qmp.QmpCommand;
import net.testlib.Await;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2's management commands beyond netdevs, over real sockets with a real runtime:
 * {@code query-status}, {@code query-name}, {@code quit} and {@code SHUTDOWN}, {@code DEVICE_DELETED},
 * {@code qom-get}/{@code qom-set}, {@code query-qmp-schema} following the installed drivers, and
 * HMP. What real QEMU prints the same way is compared with it in {@link QemuManagementTest}.
 */
class QmpManagementTest extends QmpServerFixture {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    private static JsonNode returned(QmpTestClient c, String request) throws Exception {
        JsonNode reply = c.execute(request);
        assertNotNull(reply.get("return"), reply.toString());
        return reply.get("return");
    }

    private static String hmp(QmpTestClient c, String commandLine) throws Exception {
        return returned(c, "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": "
                + JSON.writeValueAsString(commandLine) + "}}").textValue();
    }

    @Test
    void statusAndNameAsAQemuWhoseGuestRuns() throws Exception {
        QmpTestClient c = negotiated();
        assertEquals(json("{\"status\": \"running\", \"singlestep\": false, \"running\": true}"),
                returned(c, "{\"execute\": \"query-status\"}"));
        assertEquals(json("{}"), returned(c, "{\"execute\": \"query-name\"}"));
        c.assertError("{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}", "GenericError",
                "Parameter 'x' is unexpected");
    }

    @Test
    void quitTellsEveryNegotiatedClientBeforeItsReplyThenStops() throws Exception {
        QmpTestClient a = negotiated();
        QmpTestClient b = negotiated();
        QmpTestClient early = connect();
        early.next();
        JsonNode reply = a.execute("{\"execute\": \"quit\", \"id\": 5}");
        assertEquals(json("{\"return\": {}, \"id\": 5}"), reply);
        List<JsonNode> seen = a.received();
        // greeting, capabilities, then the event, then the reply, as QEMU 7.2 sends them
        assertEquals(4, seen.size(), seen.toString());
        assertEquals("SHUTDOWN", seen.get(2).path("event").asText());
        assertEquals(json("{\"guest\": false, \"reason\": \"host-qmp-quit\"}"), seen.get(2).get("data"));
        assertEquals(reply, seen.get(3));
        assertEquals(json("{\"guest\": false, \"reason\": \"host-qmp-quit\"}"), b.nextEvent().get("data"));
        early.assertNoEvent();
        Await.until(() -> quits.get() == 1, Duration.ofSeconds(QmpTestClient.TIMEOUT_SECONDS), "quit hook");
    }

    @Test
    void hmpQuitAnswersNothingAndStops() throws Exception {
        QmpTestClient c = negotiated();
        assertEquals("", hmp(c, "q"));
        assertEquals("host-qmp-quit", c.nextEvent().path("data").path("reason").asText());
        Await.until(() -> quits.get() == 1, Duration.ofSeconds(QmpTestClient.TIMEOUT_SECONDS), "quit hook");
        assertEquals("quit|q: extraneous characters at the end of line\r\nTry \"help quit\" for more information\r\n",
                hmp(c, "quit now"));
        assertEquals(1, quits.get());
    }

    @Test
    void deviceDelTellsEveryClientWithQemusMembers() throws Exception {
        QmpTestClient a = negotiated();
        QmpTestClient b = negotiated();
        a.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}}");
        a.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"id\": \"n1\", \"netdev\": \"h1\"}}");
        a.assertEmptyReturn("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"n1\"}}");
        for (QmpTestClient c : List.of(a, b)) {
            JsonNode event = c.nextEvent();
            assertEquals("DEVICE_DELETED", event.get("event").asText());
            assertEquals(json("{\"device\": \"n1\", \"path\": \"/machine/peripheral/n1\"}"), event.get("data"));
        }
        // A failed device_del tells nobody.
        a.assertError("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"n1\"}}", "DeviceNotFound",
                "Device 'n1' not found");
        b.assertNoEvent();
    }

    @Test
    void qomTurnsAFilterOffAndOnWithoutReopeningIt() throws Exception {
        QmpTestClient c = negotiated();
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 1}}");
        c.assertEmptyReturn("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-x\", \"id\": \"f0\","
                + " \"netdev\": \"s0\", \"maxlen\": 9}}");
        String get = "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"%s\"}}";
        assertEquals(json("\"on\""), returned(c, get.formatted("status")));
        assertEquals(json("\"filter-x\""), returned(c, get.formatted("type")));
        assertEquals(json("\"s0\""), returned(c, get.formatted("netdev")));
        assertEquals(json("\"all\""), returned(c, get.formatted("queue")));
        assertEquals(json("9"), returned(c, get.formatted("maxlen")));

        c.assertEmptyReturn("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"status\", \"value\": \"off\"}}");
        assertEquals(json("\"off\""), returned(c, get.formatted("status")));
        JsonNode filter = runtimeFilter();
        assertEquals("off", filter.get("status").asText());
        assertEquals("active", filter.get("state").asText());
        // QEMU's partial path: the id alone names the object.
        c.assertEmptyReturn("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"f0\", \"property\": \"status\", \"value\": \"on\"}}");
        assertEquals("on", runtimeFilter().get("status").asText());

        c.assertError("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"status\", \"value\": \"bogus\"}}",
                "GenericError", "Invalid value for netfilter status, should be 'on' or 'off'");
        c.assertError("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"status\", \"value\": true}}",
                "GenericError", "Invalid parameter type for 'status', expected: string");
        c.assertError("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"netdev\", \"value\": \"s1\"}}",
                "GenericError", "Property 'filter-x.netdev' is not writable");
        c.assertError(get.formatted("nosuch"), "GenericError", "Property 'filter-x.nosuch' not found");
        c.assertError("{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/objects/f9\", \"property\": \"status\"}}",
                "DeviceNotFound", "Device '/objects/f9' not found");
        c.assertError("{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/\", \"property\": \"status\"}}",
                "GenericError", "Property 'container.status' not found");
        c.assertError("{\"execute\": \"qom-set\", \"arguments\": {\"path\": \"/objects/f0\", \"property\": \"status\"}}",
                "GenericError", "Parameter 'value' is missing");
        assertEquals("on", runtimeFilter().get("status").asText());
        assertEquals("", hmp(c, "qom-set f0 status off"));
        assertEquals("\"off\"\r\n", hmp(c, "qom-get /objects/f0 status"));
        assertEquals("Error: Device '/objects/f9' not found\r\n", hmp(c, "qom-get /objects/f9 status"));
    }

    private JsonNode runtimeFilter() throws Exception {
        return QmpJson.DTO.valueToTree(runtime.client("s0").filters().getFirst());
    }

    // ---- query-qmp-schema ------------------------------------------------------------------------

    /** A third-party command, to see its argument record in the schema. */
    record Echo(@com.fasterxml.jackson.annotation.JsonProperty(required = true) String text, Integer times) {
    }

    @Test
    void schemaDescribesWhatIsInstalledAndFollowsIt() throws Exception {
        QmpTestClient c = negotiated();
        QmpCommand<Echo> echo = new QmpCommand<>() {
            @Override
            public Class<Echo> argumentsType() {
                return Echo.class;
            }

            @Override
            public Object execute(Echo arguments) {
                return arguments.text();
            }
        };
        server.bindQmpCommand(echo, Map.of(QmpCommand.NAME, "x-echo"));
        Map<String, JsonNode> schema = schema(c);

        List<String> commands = new ArrayList<>();
        returned(c, "{\"execute\": \"query-commands\"}").forEach(n -> commands.add(n.get("name").asText()));
        for (String name : commands) {
            assertEquals("command", schema.get(name).path("meta-type").asText(), name);
        }
        for (String event : List.of("SHUTDOWN", "DEVICE_DELETED", "NIC_RX_FILTER_CHANGED", "NETDEV_STREAM_CONNECTED",
                "NETDEV_STREAM_DISCONNECTED")) {
            assertEquals("event", schema.get(event).path("meta-type").asText(), event);
        }
        // Every type named is described.
        for (JsonNode entity : schema.values()) {
            for (String key : List.of("arg-type", "ret-type", "element-type")) {
                if (entity.has(key)) {
                    assertTrue(schema.containsKey(entity.get(key).asText()), key + " of " + entity);
                }
            }
            entity.path("members").forEach(m -> {
                if (m.has("type")) {
                    assertTrue(schema.containsKey(m.get("type").asText()), m + " of " + entity);
                }
            });
            entity.path("variants").forEach(v -> assertTrue(schema.containsKey(v.get("type").asText()), v.toString()));
        }

        JsonNode netdev = schema.get(schema.get("netdev_add").get("arg-type").asText());
        assertEquals("type", netdev.get("tag").asText());
        assertEquals(json("[{\"name\": \"id\", \"type\": \"str\"}]"), json("[" + netdev.get("members").get(0) + "]"));
        assertEquals(List.of("hubport", "x"), values(schema.get(netdev.get("members").get(1).get("type").asText())));
        assertEquals(json("[{\"name\": \"txsession\", \"type\": \"int\"}, {\"name\": \"tag\", \"default\": null, \"type\": \"str\"}]"),
                schema.get(branch(netdev, "x")).get("members"));
        assertEquals(json("[{\"name\": \"hubid\", \"type\": \"int\"}, {\"name\": \"netdev\", \"default\": null, \"type\": \"str\"}]"),
                schema.get(branch(netdev, "hubport")).get("members"));

        JsonNode objects = schema.get(schema.get("object-add").get("arg-type").asText());
        assertEquals("qom-type", objects.get("tag").asText());
        JsonNode filterX = schema.get(branch(objects, "filter-x")).get("members");
        assertEquals(json("{\"name\": \"netdev\", \"type\": \"str\"}"), filterX.get(0));
        assertEquals(json("{\"name\": \"maxlen\", \"default\": null, \"type\": \"int\"}"), filterX.get(filterX.size() - 1));

        assertEquals(json("[{\"name\": \"text\", \"type\": \"str\"}, {\"name\": \"times\", \"default\": null, \"type\": \"int\"}]"),
                schema.get(schema.get("x-echo").get("arg-type").asText()).get("members"));
        assertEquals(json("{\"name\": \"str\", \"json-type\": \"string\", \"meta-type\": \"builtin\"}"), schema.get("str"));

        // The driver bundle leaves: its branch goes; it comes back: so does the branch.
        runtime.unbindNetClientDriver(x, Map.of(NetClientDriver.TYPE, "x"));
        server.unbindQmpCommand(echo, Map.of(QmpCommand.NAME, "x-echo"));
        Map<String, JsonNode> without = schema(c);
        JsonNode netdevWithout = without.get(without.get("netdev_add").get("arg-type").asText());
        assertNull(branch(netdevWithout, "x"));
        assertFalse(without.containsKey("x-echo"));
        runtime.bindNetClientDriver(x, Map.of(NetClientDriver.TYPE, "x"));
        Map<String, JsonNode> again = schema(c);
        assertNotNull(branch(again.get(again.get("netdev_add").get("arg-type").asText()), "x"));
    }

    private static Map<String, JsonNode> schema(QmpTestClient c) throws Exception {
        Map<String, JsonNode> byName = new HashMap<>();
        returned(c, "{\"execute\": \"query-qmp-schema\"}").forEach(e -> {
            assertNull(byName.put(e.get("name").asText(), e), "one entity per name: " + e);
        });
        return byName;
    }

    private static String branch(JsonNode union, String tagValue) {
        for (JsonNode v : union.get("variants")) {
            if (v.get("case").asText().equals(tagValue)) {
                return v.get("type").asText();
            }
        }
        return null;
    }

    private static List<String> values(JsonNode enumeration) {
        List<String> values = new ArrayList<>();
        enumeration.get("values").forEach(v -> values.add(v.asText()));
        return values;
    }

    // ---- HMP ---------------------------------------------------------------------------------------

    @Test
    void hmpManagesNetdevsObjectsAndLinksAndPrintsErrorsAsQemu() throws Exception {
        QmpTestClient c = negotiated();
        assertEquals("", hmp(c, "netdev_add hubport,id=h1,hubid=1"));
        assertEquals("", hmp(c, "netdev_add x,id=s0,txsession=3"));
        assertEquals("Error: Parameter 'txsession' is missing\r\n", hmp(c, "netdev_add x,id=s1"));
        assertEquals("", hmp(c, "object_add filter-x,id=f0,netdev=s0"));
        assertEquals("", hmp(c, "object_add qom-type=filter-x,id=f1,netdev=s0"));
        assertEquals("", hmp(c, "set_link s0 off"));
        assertEquals(false, runtime.client("s0").linkUp());
        assertEquals("", hmp(c, "set_link \"s0\" on"));
        assertEquals(true, runtime.client("s0").linkUp());
        assertEquals("", hmp(c, "object_del f1"));
        assertEquals("Error: object 'f1' not found\r\n", hmp(c, "object_del f1"));
        assertEquals("", hmp(c, "netdev_add hubport,id=h2,hubid=1"));
        assertEquals("", hmp(c, "device_add nic-x,id=n1,netdev=h2"));
        assertEquals("", hmp(c, "device_del n1"));
        assertEquals("NETDEV_STREAM_CONNECTED", c.nextEvent().get("event").asText()); // x's, when s0 opened
        assertEquals("DEVICE_DELETED", c.nextEvent().get("event").asText());
        assertEquals("", hmp(c, "netdev_del h1"));
        assertEquals("Error: Device 'h1' not found\r\n", hmp(c, "netdev_del h1"));
        assertEquals("Available netdev backend types:\r\nhubport\r\nx\r\n", hmp(c, "netdev_add help"));
        assertEquals("netdev_add [hubport|x],id=str[,prop=value][,...] -- add host network device\r\n",
                hmp(c, "help netdev_add"));
        String network = hmp(c, "info network");
        assertTrue(network.startsWith("hub 1\r\n \\ h2\r\n"), network);
        assertTrue(network.contains("s0: index=0,type=x,x: txsession=3\r\n"), network);
        assertFalse(network.replace("\r\n", "").contains("\n"), network);
    }
}
