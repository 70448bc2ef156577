package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import net.api.NetClientContext;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import net.control.qmp.QmpClientInfo;
import net.control.qmp.QmpListener;

/** The QMP server end to end over real sockets, with a real runtime behind it. */
class QmpServerTest extends QmpServerFixture {

    private static void await(Await.Condition condition, String what) throws Exception {
        Await.until(condition, Duration.ofSeconds(QmpTestClient.TIMEOUT_SECONDS), what);
    }

    // ---- endpoints ---------------------------------------------------------------------------

    @Test
    void greetingIsQemu72sBytesWithPatchbaysPackage() throws Exception {
        QmpTestClient c = connect();
        assertEquals("{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                + "\"package\": \"patchbay-1.0.0\"}, \"capabilities\": [\"oob\"]}}", c.nextRaw());
        assertTrue(tcp.address().matches("tcp:127\\.0\\.0\\.1:\\d+"), tcp.address());
        assertEquals(List.of(tcp), server.listeners());
    }

    @Test
    void unixEndpointReplacesAStaleSocketAndRemovesItsFileOnClose(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("qmp.sock");
        // A socket file left behind by a process that died.
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path));
        QmpListener unix = server.listen("unix:" + path + ",server,nowait");
        assertEquals("unix:" + path, unix.address());
        // A live socket is another server's: it is not taken over.
        assertEquals("Failed to bind socket: Address already in use",
                assertThrows(NetException.class, () -> server.listen("unix:" + path)).getMessage());
        try (QmpTestClient c = QmpTestClient.negotiated(unix)) {
            c.assertUsable();
            await(() -> server.clients().stream().anyMatch(i -> i.endpoint().equals(unix.address()) && i.negotiated()),
                    "client listed");
            unix.close();
            assertTrue(c.closedByServer());
        }
        assertFalse(Files.exists(path));
        assertEquals(List.of(tcp), server.listeners());
    }

    @Test
    void addressesInQemusSyntax() throws Exception {
        // As QEMU: an empty host is every interface (a warning says so), reached on loopback too.
        QmpListener emptyHost = server.listen("tcp::0,server=on");
        assertTrue(emptyHost.address().matches("tcp:(\\[::]|0\\.0\\.0\\.0):\\d+"), emptyHost.address());
        assertEquals(1, log.count("QMP endpoint " + emptyHost.address() + " is open to other hosts: QMP is unauthenticated"),
                log.lines().toString());
        try (java.net.Socket client = new java.net.Socket("127.0.0.1",
                Integer.parseInt(emptyHost.address().replaceAll(".*:", "")))) {
            client.setSoTimeout((int) Duration.ofSeconds(QmpTestClient.TIMEOUT_SECONDS).toMillis());
            assertEquals("{\"QMP\":", new String(client.getInputStream().readNBytes(7), StandardCharsets.US_ASCII));
        }
        emptyHost.close();
        assertEquals("QMP endpoint 'tcp:127.0.0.1:0,server=off': client mode (server=off) is not supported, use server=on",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:0,server=off")).getMessage());
        assertEquals("Failed to bind socket: Address already in use",
                assertThrows(NetException.class, () -> server.listen(tcp.address() + ",server=on,wait=off")).getMessage());
        assertEquals("QMP endpoint 'udp:1': expected tcp:HOST:PORT or unix:PATH",
                assertThrows(NetException.class, () -> server.listen("udp:1")).getMessage());
        assertEquals("error parsing port in address '127.0.0.1:x'",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:x")).getMessage());
        assertEquals("Parameter 'wait' expects 'on' or 'off'",
                assertThrows(NetException.class, () -> server.listen("tcp::0,wait=maybe")).getMessage());
        assertEquals("Invalid parameter 'telnet'",
                assertThrows(NetException.class, () -> server.listen("tcp::0,telnet=on")).getMessage());
        QmpListener waiting = server.listen("tcp:127.0.0.1:0,server=on,wait=on");
        try (QmpTestClient c = QmpTestClient.negotiated(waiting)) {
            c.assertUsable();
        }
        waiting.close();
    }

    /** QEMU's {@code -qmp tcp:H:P} without {@code server=on}: it connects to a listening QMP client. */
    @Test
    void withoutServerOnItConnectsOutAsQemuDoes(@TempDir Path dir) throws Exception {
        try (ServerSocketChannel tool = ServerSocketChannel.open()) {
            tool.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            int port = ((java.net.InetSocketAddress) tool.getLocalAddress()).getPort();
            QmpListener out = server.open("tcp:127.0.0.1:" + port);
            assertEquals("tcp:127.0.0.1:" + port, out.address());
            try (java.nio.channels.SocketChannel monitor = tool.accept()) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        java.nio.channels.Channels.newInputStream(monitor), StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("{\"QMP\": {\"version\""), "greeting");
                monitor.write(java.nio.ByteBuffer.wrap("{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("{\"return\": {}}", in.readLine());
            }
            out.close();
            // Nobody listens there any more: QEMU's words.
            assertEquals("Failed to connect to '127.0.0.1:" + port + "': Connection refused",
                    assertThrows(NetException.class, () -> {
                        tool.close();
                        server.open("tcp:127.0.0.1:" + port);
                    }).getMessage());
        }
        assertEquals("address resolution failed for :4473: Name or service not known",
                assertThrows(NetException.class, () -> server.open("tcp::4473")).getMessage());
        Path missing = dir.resolve("nobody.sock");
        assertEquals("Failed to connect to '" + missing + "': No such file or directory",
                assertThrows(NetException.class, () -> server.open("unix:" + missing)).getMessage());
        // A unix QMP client too, and server=on still listens.
        Path socket = dir.resolve("tool.sock");
        try (ServerSocketChannel tool = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            tool.bind(UnixDomainSocketAddress.of(socket));
            QmpListener out = server.open("unix:" + socket + ",server=off");
            try (java.nio.channels.SocketChannel monitor = tool.accept()) {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        java.nio.channels.Channels.newInputStream(monitor), StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("{\"QMP\": {\"version\""), "greeting");
            }
            out.close();
            assertTrue(Files.exists(socket), "the tool's socket is not the endpoint's to remove");
        }
        QmpListener listening = server.open("tcp:127.0.0.1:0,server=on");
        try (QmpTestClient c = QmpTestClient.negotiated(listening)) {
            c.assertUsable();
        }
        listening.close();
    }

    // ---- negotiation ---------------------------------------------------------------------------

    @Test
    void negotiationRule() throws Exception {
        QmpTestClient c = connect();
        c.next();
        String early = c.executeRaw("{\"execute\": \"query-version\", \"id\": {\"a\": [1, \"x\"]}}");
        assertEquals("{\"id\": {\"a\": [1, \"x\"]}, \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"Expecting "
                + "capabilities negotiation with 'qmp_capabilities'\"}}", early);
        c.assertError("{\"execute\": \"no-such-command\"}", "CommandNotFound",
                "Expecting capabilities negotiation with 'qmp_capabilities'");
        c.assertError("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"fast\"]}}", "GenericError",
                "Parameter 'null' does not accept value 'fast'");
        c.assertError("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [1]}}", "GenericError",
                "Invalid parameter type for 'enable[0]', expected: string");
        c.assertError("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": \"oob\"}}", "GenericError",
                "Invalid parameter type for 'enable', expected: array");
        c.assertError("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"foo\": 1}}", "GenericError",
                "Parameter 'foo' is unexpected");
        assertFalse(server.clients().getFirst().negotiated());
        assertEquals("{\"return\": {}, \"id\": \"neg\"}",
                c.executeRaw("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": []}, \"id\": \"neg\"}"));
        c.assertError("{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
                "Capabilities negotiation is already complete, command ignored");
        c.assertUsable();
        QmpClientInfo info = server.clients().getFirst();
        assertTrue(info.negotiated());
        assertEquals(tcp.address(), info.endpoint());
        assertEquals(9, info.commands());
    }

    @Test
    void eachClientHasItsOwnSession() throws Exception {
        QmpTestClient a = negotiated();
        QmpTestClient b = connect();
        assertTrue(b.next().has("QMP"));
        b.assertError("{\"execute\": \"query-version\"}", "CommandNotFound",
                "Expecting capabilities negotiation with 'qmp_capabilities'");
        a.assertUsable();
        await(() -> server.clients().size() == 2, "two clients");
    }

    // ---- commands ------------------------------------------------------------------------------

    @Test
    void workedNetdevExchangesOfQapiNet() throws Exception {
        QmpTestClient c = negotiated();
        assertEquals("{\"return\": {}, \"id\": 1}", c.executeRaw("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\","
                + " \"id\": \"s0\", \"txsession\": 1}, \"id\": 1}"));
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 2}, \"id\": 2}",
                "GenericError", "Duplicate ID 's0'");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1,"
                + " \"netdev\": \"s0\"}}");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"l0\"}, \"id\": 4}",
                "GenericError", "Parameter 'txsession' is missing");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"9bad\", \"txsession\": 1}}",
                "GenericError", "Parameter 'id' expects an identifier");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s1\", \"txsession\": 1, \"foo\": 1}}",
                "GenericError", "Parameter 'foo' is unexpected");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"nic\", \"id\": \"n0\"}}",
                "GenericError", "network backend 'nic' is not compiled into this binary");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"nosuch\", \"up\": false}, \"id\": 8}",
                "DeviceNotFound", "Device 'nosuch' not found");
        c.assertError("{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"s0\"}}",
                "GenericError", "net client(s0) isn't a NIC");
        c.assertError("{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"nosuch\"}}",
                "DeviceNotFound", "Device 'nosuch' not found");
        c.assertEmptyReturn("{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"h1\"}}");
        // A type QEMU does not know has no schema here: its driver's record decides, and takes strings.
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s2\", \"txsession\": \"7\"}}");
        assertEquals(List.of("s0", "s2"), runtime.network().clients().stream().map(n -> n.name()).toList());
    }

    @Test
    void netdevAddIsTypedByQemu72sSchema() throws Exception {
        QmpTestClient c = negotiated();
        String hubport = "{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": %s}}";
        c.assertError(hubport.formatted("\"2\""), "GenericError", "Invalid parameter type for 'hubid', expected: integer");
        c.assertError(hubport.formatted("1.5"), "GenericError", "Invalid parameter type for 'hubid', expected: integer");
        c.assertError(hubport.formatted("2147483648"), "GenericError", "Parameter 'hubid' expects int32_t");
        c.assertError(hubport.formatted("1, \"x\": 1"), "GenericError", "Parameter 'x' is unexpected");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"sockt\", \"id\": \"s\"}}", "GenericError",
                "Parameter 'type' does not accept value 'sockt'");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"netmap\", \"id\": \"s\"}}", "GenericError",
                "Parameter 'ifname' is missing");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"netmap\", \"id\": \"s\", \"ifname\": \"a\"}}",
                "GenericError", "network backend 'netmap' is not compiled into this binary");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"l2tpv3\", \"id\": \"l\", \"src\": \"a\", "
                + "\"dst\": \"b\", \"txsession\": -1}}", "GenericError", "Parameter 'txsession' expects uint32_t");
        c.assertError("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"stream\", \"id\": \"s\", \"addr\": "
                + "{\"type\": \"inet\", \"host\": \"h\", \"port\": 1}}}", "GenericError",
                "Invalid parameter type for 'addr.port', expected: string");
        c.assertEmptyReturn(hubport.formatted("-3"));
        assertEquals(-3, runtime.network().hubs().getFirst().id());
    }

    @Test
    void setLinkChecksArgumentsBeforeActing() throws Exception {
        QmpTestClient c = negotiated();
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 1}}");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"up\": false}}", "GenericError", "Parameter 'name' is missing");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"s0\", \"up\": \"off\"}}", "GenericError",
                "Invalid parameter type for 'up', expected: boolean");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"s0\", \"up\": false, \"foo\": 1}}",
                "GenericError", "Parameter 'foo' is unexpected");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"name\": 5, \"up\": false}}", "GenericError",
                "Invalid parameter type for 'name', expected: string");
        assertTrue(runtime.client("s0").linkUp(), "no side effect from a rejected request");
        c.assertEmptyReturn("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"s0\", \"up\": false}}");
        assertFalse(runtime.client("s0").linkUp());
        JsonNode netdevs = c.execute("{\"execute\": \"x-query-netdevs\"}").get("return");
        assertEquals("s0", netdevs.get(0).get("name").asText());
        assertFalse(netdevs.get(0).get("link-up").asBoolean());
        assertEquals(1, netdevs.get(0).get("options").get("txsession").asInt());
        assertTrue(netdevs.get(0).get("counters").has("rx-frames"));
        c.assertError("{\"execute\": \"netdev_del\"}", "GenericError", "Parameter 'id' is missing");
    }

    /** {@code hubid} given as text (HMP, as the command line and files give it) reads as QMP's integer. */
    @Test
    void xQueryNetdevsReportsOptionsTypedAsTheSchemaSays() throws Exception {
        QmpTestClient c = negotiated();
        c.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\":"
                + " \"netdev_add hubport,id=h8,hubid=2\"}}");
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h9\","
                + " \"hubid\": 2}}");
        JsonNode netdevs = c.execute("{\"execute\": \"x-query-netdevs\"}").get("return");
        for (JsonNode netdev : netdevs) {
            assertTrue(netdev.get("options").get("hubid").isInt(), netdev.toString());
            assertEquals(2, netdev.get("options").get("hubid").asInt());
        }
        assertEquals(2, netdevs.size());
    }

    @Test
    void objectsAndDevices() throws Exception {
        QmpTestClient c = negotiated();
        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 1}}");
        c.assertEmptyReturn("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-x\", \"id\": \"f1\","
                + " \"netdev\": \"s0\", \"maxlen\": 1500}}");
        c.assertEmptyReturn("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-x\", \"id\": \"f2\","
                + " \"netdev\": \"s0\", \"maxlen\": 64}}");
        assertEquals(List.of("f1", "f2"), runtime.client("s0").filters().stream().map(f -> f.id()).toList());
        assertEquals(1500, runtime.client("s0").filters().getFirst().options().get("maxlen"));
        c.assertError("{\"execute\": \"object-add\", \"arguments\": {\"id\": \"f3\"}}", "GenericError",
                "Parameter 'qom-type' is missing");
        // QEMU 7.2 has no props wrapper any more.
        c.assertError("{\"execute\": \"object-add\", \"arguments\": {\"qom-type\": \"filter-x\", \"id\": \"f3\", \"netdev\": \"s0\","
                + " \"props\": {}}}", "GenericError", "Parameter 'props' is unexpected");
        c.assertEmptyReturn("{\"execute\": \"object-del\", \"arguments\": {\"id\": \"f1\"}}");
        c.assertError("{\"execute\": \"object-del\", \"arguments\": {\"id\": \"f1\"}}", "GenericError", "object 'f1' not found");

        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}}");
        c.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"id\": \"n1\", \"netdev\": \"h1\"}}");
        assertEquals("h1", runtime.client("n1").peer());
        JsonNode filters = c.execute("{\"execute\": \"query-rx-filter\"}").get("return");
        assertEquals(1, filters.size());
        assertEquals("n1", filters.get(0).get("name").asText());
        assertEquals("52:54:00:12:34:56", filters.get(0).get("main-mac").asText());
        assertFalse(filters.get(0).get("broadcast-allowed").asBoolean());
        assertEquals(filters, c.execute("{\"execute\": \"query-rx-filter\", \"arguments\": {\"name\": \"n1\"}}").get("return"));
        c.assertEmptyReturn("{\"execute\": \"device_del\", \"arguments\": {\"id\": \"n1\"}}");
        assertEquals("[]", c.execute("{\"execute\": \"query-rx-filter\"}").get("return").toString());
    }

    @Test
    void introspectionHmpAndExtensions() throws Exception {
        QmpTestClient c = negotiated();
        assertEquals("{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, \"package\": \"patchbay-1.0.0\"}, \"id\": 7}",
                c.executeRaw("{\"execute\": \"query-version\", \"id\": 7}"));
        List<String> names = new ArrayList<>();
        c.execute("{\"execute\": \"query-commands\"}").get("return").forEach(n -> names.add(n.get("name").asText()));
        assertEquals(List.of("qmp_capabilities", "query-version", "query-commands", "netdev_add", "netdev_del", "set_link",
                "query-rx-filter", "announce-self", "object-add", "object-del", "device_add", "device_del", "quit",
                "human-monitor-command", "query-status", "query-name", "qom-get", "qom-set", "query-qmp-schema",
                "x-query-netdevs", "x-query-drivers", "x-query-hubs", "x-query-stats", "getfd", "closefd", "add-fd",
                "remove-fd", "query-fdsets"), names);
        c.assertError("{\"execute\": \"query-version\", \"arguments\": {\"foo\": 1}}", "GenericError", "Parameter 'foo' is unexpected");

        c.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 1}}");
        assertEquals("s0: index=0,type=x,x: txsession=1\r\n",
                c.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info  network\"}}")
                        .get("return").asText());
        assertEquals("unknown command: 'info block'\r\n",
                c.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"info block\"}}")
                        .get("return").asText());
        c.assertError("{\"execute\": \"human-monitor-command\", \"arguments\": {}}", "GenericError",
                "Parameter 'command-line' is missing");

        JsonNode drivers = c.execute("{\"execute\": \"x-query-drivers\"}").get("return");
        List<String> types = new ArrayList<>();
        drivers.forEach(d -> types.add(d.get("kind").asText() + ":" + d.get("type").asText()));
        assertTrue(types.containsAll(List.of("netdev:hubport", "netdev:x", "filter:filter-x", "nic:nic-x")), types.toString());

        assertEquals("{\"return\":{},\"id\":\"q\"}", c.execute("{\"execute\": \"quit\", \"id\": \"q\"}").toString());
        await(() -> quits.get() == 1, "quit hook");
    }

    /** A third-party command's argument record. */
    record Repeat(@JsonProperty(required = true) Integer count, String text, Boolean loud) {
    }

    @Test
    void thirdPartyCommandsAreBoundStrictlyAndGoAway() throws Exception {
        QmpCommand<Repeat> repeat = new QmpCommand<>() {
            @Override
            public Class<Repeat> argumentsType() {
                return Repeat.class;
            }

            @Override
            public Object execute(Repeat a) throws NetException {
                if (a.count() < 0) {
                    throw NetException.generic("count must not be negative");
                }
                return Map.of("text", String.valueOf(a.text()).repeat(a.count()));
            }
        };
        Map<String, Object> properties = Map.of(QmpCommand.NAME, "x-repeat");
        server.bindQmpCommand(repeat, properties);
        QmpTestClient c = negotiated();
        assertTrue(c.execute("{\"execute\": \"query-commands\"}").toString().contains("{\"name\":\"x-repeat\"}"));
        assertEquals("{\"return\":{\"text\":\"abab\"},\"id\":1}",
                c.execute("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 2, \"text\": \"ab\"}, \"id\": 1}").toString());
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": \"2\"}}", "GenericError",
                "Invalid parameter type for 'count', expected: integer");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 2, \"text\": 5}}", "GenericError",
                "Invalid parameter type for 'text', expected: string");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 2, \"loud\": \"on\"}}", "GenericError",
                "Invalid parameter type for 'loud', expected: boolean");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 1.5}}", "GenericError",
                "Invalid parameter type for 'count', expected: integer");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"text\": \"a\"}}", "GenericError",
                "Parameter 'count' is missing");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 1, \"foo\": 1}}", "GenericError",
                "Parameter 'foo' is unexpected");
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": -1}}", "GenericError",
                "count must not be negative");
        // A built-in's name cannot be taken over.
        server.bindQmpCommand(repeat, Map.of(QmpCommand.NAME, "quit"));
        server.unbindQmpCommand(repeat, Map.of(QmpCommand.NAME, "quit"));
        server.unbindQmpCommand(repeat, properties);
        c.assertError("{\"execute\": \"x-repeat\", \"arguments\": {\"count\": 1}, \"id\": 3}", "CommandNotFound",
                "The command x-repeat has not been found");
        assertFalse(c.execute("{\"execute\": \"query-commands\"}").toString().contains("x-repeat"));
        assertEquals(0, quits.get());
    }

    // ---- events ----------------------------------------------------------------------------------

    @Test
    void eventsReachEveryNegotiatedClientOnly() throws Exception {
        QmpTestClient a = negotiated();
        QmpTestClient b = negotiated();
        QmpTestClient early = connect();
        early.next();
        a.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"s0\", \"txsession\": 1}}");
        for (QmpTestClient c : List.of(a, b)) {
            JsonNode event = c.nextEvent();
            assertEquals("NETDEV_STREAM_CONNECTED", event.get("event").asText());
            assertEquals("{\"netdev-id\":\"s0\",\"addr\":\"x\"}".length(), event.get("data").toString().length());
            assertEquals("s0", event.get("data").get("netdev-id").asText());
            long seconds = event.get("timestamp").get("seconds").asLong();
            assertTrue(Math.abs(System.currentTimeMillis() / 1000 - seconds) < 60, event.toString());
            int micros = event.get("timestamp").get("microseconds").asInt();
            assertTrue(micros >= 0 && micros <= 999_999, event.toString());
        }
        a.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"h1\", \"hubid\": 1}}");
        a.assertEmptyReturn("{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"nic-x\", \"id\": \"n1\", \"netdev\": \"h1\"}}");
        NetClientContext nic = nics.contexts.get("n1");
        nic.loop().execute(nic::rxFilterChanged);
        for (QmpTestClient c : List.of(a, b)) {
            JsonNode event = c.nextEvent();
            assertEquals("NIC_RX_FILTER_CHANGED", event.get("event").asText());
            assertEquals("n1", event.get("data").get("name").asText());
        }
        early.assertNoEvent();
        // The first message after negotiating is the reply: nothing was queued for it before.
        assertEquals("{\"return\":{}}", early.execute("{\"execute\": \"qmp_capabilities\"}").toString());
        early.assertNoEvent();
        server.event("SHUTDOWN", Map.of(), java.time.Instant.ofEpochSecond(12, 345_678_000));
        assertEquals("{\"timestamp\": {\"seconds\": 12, \"microseconds\": 345678}, \"event\": \"SHUTDOWN\"}",
                early.nextEventRaw());
    }

    // ---- malformed input ---------------------------------------------------------------------------

    @Test
    void malformedInputGetsQemusErrorsAndTheConnectionLives() throws Exception {
        QmpTestClient c = negotiated();
        assertParseError(c.execute("{\"execute\": }"));
        c.assertUsable();
        assertParseError(c.execute("{\"execute\": \"query-version\", \"id\": 1, }"));
        assertParseError(c.execute("{execute: 1}"));
        c.assertUsable();
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a JSON object\"}}",
                c.execute("[1]").toString());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a JSON object\"}}",
                c.execute("\"x\"").toString());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"QMP input must be a JSON object\"}}",
                c.execute("3").toString());
        assertEquals("{\"id\": 5, \"error\": {\"class\": \"GenericError\", \"desc\": \"QMP input lacks member 'execute'\"}}",
                c.executeRaw("{\"id\": 5}"));
        c.assertError("{\"execute\": 5}", "GenericError", "QMP input member 'execute' must be a string");
        c.assertError("{\"execute\": \"query-version\", \"arguments\": []}", "GenericError",
                "QMP input member 'arguments' must be an object");
        c.assertError("{\"execute\": \"query-version\", \"foo\": 1}", "GenericError", "QMP input member 'foo' is unexpected");
        c.assertError("{\"exec-oob\": \"query-version\"}", "GenericError", "QMP input member 'exec-oob' is unexpected");
        c.assertError("{\"execute\": \"no-such\", \"id\": 9}", "CommandNotFound", "The command no-such has not been found");
        c.assertError("{\"execute\": \"set_link\", \"arguments\": {\"name\": \"s0\", \"up\": 1}}", "GenericError",
                "Invalid parameter type for 'up', expected: boolean");
        c.assertError("{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"s0\", \"extra\": true}}", "GenericError",
                "Parameter 'extra' is unexpected");
        c.assertUsable();
    }

    private static void assertParseError(JsonNode reply) {
        assertEquals("GenericError", reply.path("error").path("class").asText(), reply.toString());
        assertTrue(reply.path("error").path("desc").asText().startsWith("JSON parse error, "), reply.toString());
        assertFalse(reply.has("id"), "a value that does not parse has no id to echo");
    }

    @Test
    void aTenMegabyteLineIsRefusedAndTheConnectionLives() throws Exception {
        QmpTestClient c = negotiated();
        byte[] line = new byte[10 * 1024 * 1024];
        Arrays.fill(line, (byte) 'a');
        byte[] head = "{\"execute\": \"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, line, 0, head.length);
        byte[] tail = "\"}\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tail, 0, line, line.length - tail.length, tail.length);
        c.send(line);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token size limit exceeded\"}}", c.nextRaw());
        // The rest of the string is skipped up to the brace, a value of its own, as in QEMU.
        assertParseError(c.next());
        c.assertUsable();
        // A bare 10 MB token, not even JSON: one error, then back in step.
        Arrays.fill(line, (byte) 'b');
        line[line.length - 1] = '\n';
        c.send(line);
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON token size limit exceeded\"}}", c.nextRaw());
        c.assertUsable();
    }

    @Test
    void framingNeedsNoDelimiterAndAcceptsQemusExtensions() throws Exception {
        QmpTestClient c = negotiated();
        c.send("{\"execute\": \"query-version\", \"id\": 1}{\"execute\": \"query-version\", \"id\": \"{[\\\"\"}");
        assertEquals(1, c.next().get("id").asInt());
        assertEquals("{[\"", c.next().get("id").asText());
        assertEquals("it's", c.execute("{'execute': 'query-version', 'id': 'it\\'s'}").get("id").asText());
        // Non-ASCII goes out escaped (the client checks every byte).
        assertEquals("h\u00e9", c.execute("{\"execute\": \"query-version\", \"id\": \"h\u00e9\"}").get("id").asText());
        // 0xFF is a stray byte (QEMU 7.2): it drops a half-sent request.
        c.send("{\"execute\": \"query-");
        c.send(new byte[] {(byte) 0xFF});
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, stray '\\\"query-\\uFFFD'\"}}",
                c.nextRaw());
        c.assertUsable();
        assertParseError(c.execute("}"));
        c.assertUsable();
    }

    // ---- robustness ------------------------------------------------------------------------------

    @Test
    void aClientLeavingMidCommandHarmsNobody() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.bindQmpCommand(new QmpCommand<Repeat>() {
            @Override
            public Class<Repeat> argumentsType() {
                return Repeat.class;
            }

            @Override
            public Object execute(Repeat arguments) throws NetException {
                running.countDown();
                try {
                    release.await(QmpTestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of(1, 2, 3);
            }
        }, Map.of(QmpCommand.NAME, "x-slow"));
        QmpTestClient other = negotiated();
        QmpTestClient leaving = QmpTestClient.negotiated(tcp);
        leaving.send("{\"execute\": \"x-slow\", \"arguments\": {\"count\": 1}}\n");
        assertTrue(running.await(QmpTestClient.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        leaving.close();
        other.assertUsable();
        release.countDown();
        await(() -> server.clients().size() == 1, "the leaving client is gone");
        other.assertUsable();
        // Garbage and a half request from a client that then vanishes.
        QmpTestClient garbage = QmpTestClient.connect(tcp);
        garbage.send(new byte[] {0, 1, 2, '{', '"', 'e'});
        garbage.close();
        await(() -> server.clients().size() == 1, "the garbage client is gone");
        other.assertUsable();
    }

    @Test
    void closingTheServerDisconnectsEveryone(@TempDir Path dir) throws Exception {
        QmpListener unix = server.listen("unix:" + dir.resolve("q.sock") + ",server=on,wait=off");
        QmpTestClient a = negotiated();
        try (QmpTestClient b = QmpTestClient.connect(unix)) {
            b.next();
            server.close();
            assertTrue(a.closedByServer());
            assertTrue(b.closedByServer());
        }
        assertEquals(List.of(), server.listeners());
        assertEquals(List.of(), server.clients());
        assertFalse(Files.exists(dir.resolve("q.sock")));
        assertEquals("QMP server is shutting down",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:0")).getMessage());
    }
}
