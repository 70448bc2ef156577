package net.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.api.NetException;
import net.api.NetFilterDriver;
import net.control.QemuOptions;
import net.control.qmp.QmpCommand;
import net.chardev.socket.ChardevCommands;
import net.chardev.socket.ChardevRegistry;
import net.hub.NetRuntime;
import net.qmp.server.QmpServer;
import net.testlib.Cleanup;
import net.testlib.Installed;
import net.testlib.Program;
import net.testlib.Qemu;
import net.testlib.QemuTest;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same chardev requests to a real {@code qemu-system-x86_64 -M none} (7.2) and to Patchbay's
 * QMP server with net.chardev's commands: the replies must be equal, JSON value for JSON value.
 * Paths are the same where only a message names them; a socket each side binds has its own.
 */
@QemuTest
@Timeout(120)
class QemuChardevTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    @AutoClose
    private final Cleanup cleanup = new Cleanup();
    private Client qemu;
    private Client patchbay;
    private ChardevRegistry registry;

    @BeforeEach
    void start() throws Exception {
        Installed.require(Qemu.BINARY);
        Path qemuSocket = dir.resolve("qemu-qmp.sock");
        cleanup.add(Qemu.startWithQmp(dir, "qemu-qmp", qemuSocket));
        qemu = new Client(new QmpUnixClient(qemuSocket));
        cleanup.add(qemu);

        NetRuntime runtime = new NetRuntime(1, System::getLogger);
        cleanup.add(runtime::close);
        registry = new ChardevRegistry(System.getLogger("test"));
        cleanup.add(registry::deactivate);
        runtime.bindNetFilterDriver(new MirrorFilterDriver(registry), Map.of(NetFilterDriver.TYPE, MirrorFilterDriver.TYPE));
        runtime.bindNetFilterDriver(new RedirectorFilterDriver(registry),
                Map.of(NetFilterDriver.TYPE, RedirectorFilterDriver.TYPE));
        runtime.bindNetFilterDriver(new BufferFilterDriver(), Map.of(NetFilterDriver.TYPE, BufferFilterDriver.TYPE));
        QmpServer server = new QmpServer(runtime, "patchbay-test", () -> { }, System.getLogger("qmp-test"));
        cleanup.add(server::close);
        server.bindQmpCommand(new ChardevCommands.Add(registry), Map.of(QmpCommand.NAME, "chardev-add"));
        server.bindQmpCommand(new ChardevCommands.Remove(registry), Map.of(QmpCommand.NAME, "chardev-remove"));
        server.bindQmpCommand(new ChardevCommands.Query(registry), Map.of(QmpCommand.NAME, "query-chardev"));
        server.listen("unix:" + dir.resolve("patchbay-qmp.sock") + ",server=on,wait=off");
        patchbay = new Client(new QmpUnixClient(dir.resolve("patchbay-qmp.sock")));
        cleanup.add(patchbay);
    }

    /** A negotiated QMP client whose replies are JSON values, so the two servers' spacing does not matter. */
    private record Client(QmpUnixClient client) implements AutoCloseable {
        JsonNode execute(String request) throws Exception {
            return JSON.readTree(client.execute(request));
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static String add(String id, String data) {
        return "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": \"" + id + "\", \"backend\": {\"type\": \"socket\", "
                + "\"data\": " + data + "}}}";
    }

    private static String unix(Path path) {
        return "{\"type\": \"unix\", \"data\": {\"path\": \"" + path + "\"}}";
    }

    private void both(String request) throws Exception {
        assertEquals(qemu.execute(request), patchbay.execute(request), request);
    }

    @Test
    void chardevOptionErrorsAsQemuPrintsThem() throws Exception {
        Path sock = dir.resolve("o.sock");
        List<String> options = List.of("socket,id=c0", "socket,id=c0,path=" + dir.resolve("none.sock"),
                "socket,id=c0,path=" + sock + ",wait=off", "sockett,id=c0,path=" + sock, "socket,path=" + sock,
                "socket,id=c0,path=" + sock + ",server=on,wait=off,foo=1", "socket,id=c0,host=127.0.0.1",
                "socket,id=c0,port=1234", "socket,id=c0,path=" + sock + ",server=on,wait=off,reconnect=1",
                "socket,id=c0,path=" + sock + ",server=on,wait=off,reconnect=x",
                "socket,id=c0,path=" + sock + ",server=maybe", "socket,id=0c,path=" + sock + ",server=on,wait=off",
                "id=c0", "socket,id=c0,path=" + dir.resolve("no/dir.sock") + ",server=on,wait=off");
        for (String option : options) {
            Program q = Qemu.start(dir, "qemu-chardev", List.of("-M", "none", "-nodefaults", "-display", "none",
                    "-chardev", option));
            cleanup.add(q);
            assertEquals(1, q.await(30), option);
            String first = q.stderr().lines().findFirst().orElse("");
            String ours;
            try {
                registry.add(QemuOptions.parse(option, "backend"));
                ours = "accepted";
            } catch (NetException e) {
                ours = e.getMessage();
            }
            assertEquals(first, "qemu-system-x86_64: -chardev " + option + ": " + ours, option);
        }
    }

    private static String object(String arguments) {
        return "{\"execute\": \"object-add\", \"arguments\": {" + arguments + "}}";
    }

    @Test
    void filterRequestsAnsweredAsQemu() throws Exception {
        both("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"hubport\", \"id\": \"n0\", \"hubid\": 0}}");
        for (String id : List.of("c0", "c1")) {
            String data = ", \"wait\": false}";
            assertEquals(qemu.execute(add(id, "{\"addr\": " + unix(dir.resolve("q-" + id + ".sock")) + data)),
                    patchbay.execute(add(id, "{\"addr\": " + unix(dir.resolve("p-" + id + ".sock")) + data)));
        }
        String mirror = "\"qom-type\": \"filter-mirror\", \"id\": \"m0\", \"netdev\": \"n0\"";
        String redirector = "\"qom-type\": \"filter-redirector\", \"id\": \"r0\", \"netdev\": \"n0\"";
        String buffer = "\"qom-type\": \"filter-buffer\", \"id\": \"b0\", \"netdev\": \"n0\"";
        for (String request : List.of(
                object(mirror),
                object(mirror + ", \"outdev\": \"c9\""),
                object(redirector),
                object(redirector + ", \"indev\": \"c0\", \"outdev\": \"c0\""),
                object(redirector + ", \"indev\": \"c9\""),
                object(redirector + ", \"outdev\": \"c9\""),
                object(mirror + ", \"outdev\": \"c0\""),
                object(mirror.replace("m0", "m1") + ", \"outdev\": \"c0\""),
                object(redirector + ", \"indev\": \"c1\", \"outdev\": \"c0\""),
                object(redirector + ", \"indev\": \"c1\""),
                object(buffer),
                object(buffer + ", \"interval\": 0"),
                object(buffer + ", \"interval\": 1000"),
                "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}",
                "{\"execute\": \"object-del\", \"arguments\": {\"id\": \"m0\"}}",
                "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}",
                "{\"execute\": \"object-del\", \"arguments\": {\"id\": \"r0\"}}",
                "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c1\"}}")) {
            both(request);
        }
    }

    @Test
    void chardevRequestsAnsweredAsQemu() throws Exception {
        // Each side binds a socket of its own, c0; the rest is refused with the same words.
        String qemuC0 = add("c0", "{\"addr\": " + unix(dir.resolve("q-c0.sock")) + ", \"wait\": false}");
        String ourC0 = add("c0", "{\"addr\": " + unix(dir.resolve("p-c0.sock")) + ", \"wait\": false}");
        assertEquals(qemu.execute(qemuC0), patchbay.execute(ourC0));
        Path nowhere = dir.resolve("nowhere.sock");
        for (String request : List.of(
                add("c0", "{\"addr\": " + unix(dir.resolve("x.sock")) + "}"),
                add("c1", "{\"addr\": " + unix(nowhere) + ", \"server\": false}"),
                add("c1", "{\"addr\": " + unix(nowhere) + ", \"server\": false, \"wait\": false}"),
                add("c1", "{\"addr\": " + unix(dir.resolve("no/such/dir.sock")) + ", \"wait\": false}"),
                add("c1", "{\"addr\": " + unix(dir.resolve("r.sock")) + ", \"reconnect\": 1}"),
                add("c1", "{\"server\": true}"),
                add("c1", "{\"addr\": " + unix(nowhere) + ", \"x\": 1}"),
                add("c1", "{\"addr\": " + unix(nowhere) + ", \"server\": \"yes\"}"),
                add("c1", "{\"addr\": " + unix(nowhere) + ", \"reconnect\": \"x\"}"),
                add("c1", "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"127.0.0.1\"}}}"),
                add("c1", "{\"addr\": {\"type\": \"inet\", \"data\": {\"host\": \"127.0.0.1\", \"port\": 5}}}"),
                add("c1", "{\"addr\": {\"type\": \"nope\", \"data\": {}}}"),
                "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": \"c1\", \"backend\": {\"type\": \"sockett\", \"data\": {}}}}",
                "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": \"c1\", \"backend\": {\"type\": \"socket\"}}}",
                "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": \"c1\"}}",
                "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c9\"}}",
                "{\"execute\": \"chardev-remove\", \"arguments\": {}}")) {
            both(request);
        }
        // query-chardev: QEMU's own monitor chardev aside, and each side's path for c0.
        JsonNode ours = patchbay.execute("{\"execute\": \"query-chardev\"}").get("return");
        List<String> theirs = new ArrayList<>();
        for (JsonNode c : qemu.execute("{\"execute\": \"query-chardev\"}").get("return")) {
            if (!c.get("label").asText().startsWith("compat_monitor")) {
                theirs.add(c.toString().replace("q-c0.sock", "p-c0.sock"));
            }
        }
        assertEquals(theirs, List.of(ours.get(0).toString()));
        both("{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}");
        both("{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}");
        String schema = patchbay.execute("{\"execute\": \"query-qmp-schema\"}").toString();
        assertTrue(schema.contains("\"name\":\"chardev-add\"") && schema.contains("\"name\":\"query-chardev\""),
                "the chardev commands are in the schema");
    }
}
