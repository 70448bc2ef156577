package net.qmp.server;

import static net.testlib.Descriptors.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.api.NetClientDriver;
import net.api.NetException;
import net.control.Section;
import net.control.qmp.QmpListener;
import net.hub.NetRuntime;
import net.posix.Libc;
import net.posix.UnixStream;
import net.testlib.Await;
import net.testlib.Descriptors;
import net.testlib.QmpUnixClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * QEMU 7.2's descriptor passing over a unix QMP socket: {@code getfd}/{@code closefd},
 * {@code add-fd}/{@code remove-fd}/{@code query-fdsets} and {@code fd=NAME} in
 * {@code netdev_add}, with real descriptors sent by SCM_RIGHTS. Expected replies are the ones
 * {@code qemu-system-x86_64 -M none} 7.2 gave to the same input (its descriptor numbers aside);
 * leaks are counted in {@code /proc/self/fd}, where both ends of every connection live.
 */
@Timeout(60)
class FdPassingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK = "{\"return\": {}}";

    @TempDir
    Path dir;
    private NetRuntime runtime;
    private QmpServer server;
    private QmpListener unix;
    private final List<QmpUnixClient> clients = new ArrayList<>();
    /** A socket pair whose first end the tests pass; the second tells it apart from other files. */
    private int[] pair;

    @BeforeEach
    void start() throws Exception {
        runtime = new NetRuntime(1, System::getLogger);
        runtime.bindNetClientDriver(new TestDrivers.FdDriver(), Map.of(NetClientDriver.TYPE, "fdx"));
        server = new QmpServer(runtime, "patchbay-1.0.0", () -> { }, System.getLogger("qmp-test"));
        unix = server.listen("unix:" + dir.resolve("qmp.sock"));
        pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
    }

    @AfterEach
    void stop() throws Exception {
        clients.forEach(QmpUnixClient::close);
        server.close();
        runtime.close();
        Libc.close(pair[0]);
        Libc.close(pair[1]);
    }

    private QmpUnixClient client() throws IOException {
        QmpUnixClient c = new QmpUnixClient(dir.resolve("qmp.sock"));
        clients.add(c);
        return c;
    }

    private static void assertReply(String expected, String actual) throws IOException {
        assertReply(expected, actual, actual);
    }

    private static void assertReply(String expected, String actual, String message) throws IOException {
        assertEquals(JSON.readTree(expected), JSON.readTree(actual), message);
    }

    private static String error(String desc) {
        return "{\"error\": {\"class\": \"GenericError\", \"desc\": " + JSON.valueToTree(desc) + "}}";
    }

    @Test
    void getfdAndClosefdAnswerAsQemu72() throws Exception {
        QmpUnixClient c = client();
        assertReply(error("No file descriptor supplied via SCM_RIGHTS"),
                c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"a\"}}"));
        assertReply(error("Parameter 'fdname' expects a name not starting with a digit"),
                c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"1a\"}}", pair[0]));
        assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"\"}}", pair[0]));
        assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"a\"}}", pair[0]));
        assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"a\"}}", pair[0]));
        assertReply(error("File descriptor named 'zz' not found"),
                c.execute("{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"zz\"}}"));
        assertReply(OK, c.execute("{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"a\"}}"));
        assertReply(error("File descriptor named 'a' not found"),
                c.execute("{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"a\"}}"));
        assertReply(error("Parameter 'fdname' is missing"),
                c.execute("{\"execute\": \"getfd\", \"arguments\": {}}", pair[0]));
        // As in QEMU, a descriptor no command claimed waits for the next command that wants one.
        JsonNode added = JSON.readTree(c.execute("{\"execute\": \"add-fd\"}"));
        assertEquals(0, added.path("return").path("fdset-id").asInt(), added.toString());
        assertEquals(file(pair[0]), file(added.path("return").path("fd").asInt()), "the same socket");
    }

    @Test
    void fdsetsAnswerAsQemu72() throws Exception {
        QmpUnixClient c = client();
        int[] fd = new int[5];
        fd[0] = addFd(c, "{}", 0);
        fd[1] = addFd(c, "{}", 1);
        fd[2] = addFd(c, "{\"fdset-id\": 7, \"opaque\": \"hello\"}", 7);
        fd[3] = addFd(c, "{\"fdset-id\": 7}", 7);
        assertReply(error("Parameter 'fdset-id' expects a non-negative value"),
                c.execute("{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": -1}}", pair[0]));
        assertReply(error("Invalid parameter type for 'fdset-id', expected: integer"),
                c.execute("{\"execute\": \"add-fd\", \"arguments\": {\"fdset-id\": \"x\"}}", pair[0]));
        assertReply(error("Invalid parameter type for 'opaque', expected: string"),
                c.execute("{\"execute\": \"add-fd\", \"arguments\": {\"opaque\": 5}}", pair[0]));
        fd[4] = addFd(c, "{}", 2); // the lowest free id
        assertReply("{\"return\": [{\"fds\": [{\"fd\": " + fd[2] + ", \"opaque\": \"hello\"}, {\"fd\": " + fd[3]
                + "}], \"fdset-id\": 7}, {\"fds\": [{\"fd\": " + fd[4] + "}], \"fdset-id\": 2}, {\"fds\": [{\"fd\": "
                + fd[1] + "}], \"fdset-id\": 1}, {\"fds\": [{\"fd\": " + fd[0] + "}], \"fdset-id\": 0}]}",
                c.execute("{\"execute\": \"query-fdsets\"}"));

        assertReply(error("File descriptor named 'fdset-id:99' not found"),
                c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 99}}"));
        assertReply(error("File descriptor named 'fdset-id:99, fd:3' not found"),
                c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 99, \"fd\": 3}}"));
        assertReply(error("File descriptor named 'fdset-id:7, fd:-1' not found"),
                c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 7, \"fd\": -1}}"));
        assertReply(error("Invalid parameter type for 'fd', expected: integer"),
                c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 7, \"fd\": \"x\"}}"));
        assertReply(error("Parameter 'fdset-id' is missing"), c.execute("{\"execute\": \"remove-fd\"}"));
        assertReply(OK, c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0}}"));
        assertEquals(null, file(fd[0]), "remove-fd closes the descriptor");
        assertReply(error("File descriptor named 'fdset-id:0' not found"),
                c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 0}}"));
        assertReply(OK, c.execute("{\"execute\": \"remove-fd\", \"arguments\": {\"fdset-id\": 7, \"fd\": " + fd[2] + "}}"));
        assertReply("{\"return\": [{\"fds\": [{\"fd\": " + fd[3] + "}], \"fdset-id\": 7}, {\"fds\": [{\"fd\": " + fd[4]
                + "}], \"fdset-id\": 2}, {\"fds\": [{\"fd\": " + fd[1] + "}], \"fdset-id\": 1}]}",
                c.execute("{\"execute\": \"query-fdsets\"}"));
    }

    private int addFd(QmpUnixClient c, String arguments, int expectedSet) throws Exception {
        JsonNode reply = JSON.readTree(c.execute("{\"execute\": \"add-fd\", \"arguments\": " + arguments + "}", pair[0]));
        assertEquals(List.of("fd", "fdset-id"), List.copyOf(iterable(reply.path("return").fieldNames())), reply.toString());
        assertEquals(expectedSet, reply.path("return").path("fdset-id").asInt(), reply.toString());
        int fd = reply.path("return").path("fd").asInt();
        assertEquals(file(pair[0]), file(fd), "add-fd reports this process's number of the socket passed");
        return fd;
    }

    private static <T> List<T> iterable(Iterator<T> iterator) {
        List<T> list = new ArrayList<>();
        iterator.forEachRemaining(list::add);
        return list;
    }

    @Test
    void noDescriptorOutlivesItsUseOrItsClient() throws Exception {
        client().close(); // classes loaded, threads started: the count below is the steady one
        Await.until(() -> server.clients().isEmpty(), "the first client gone");
        int base = Descriptors.openCount();
        QmpUnixClient c = client();
        int connected = Descriptors.openCount(); // both ends of the connection

        for (int i = 0; i < 3; i++) { // a name given again replaces, and closes, the one before
            assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"n\"}}", pair[0]));
        }
        assertEquals(connected + 1, Descriptors.openCount());
        assertReply(OK, c.execute("{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"n\"}}"));
        assertEquals(connected, Descriptors.openCount());

        // 40 in one message: 16 are kept (QEMU's bound too), the first serves, the others are closed.
        int[] many = new int[40];
        Arrays.fill(many, pair[0]);
        assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"m\"}}", many));
        assertEquals(connected + 1, Descriptors.openCount());
        // Unclaimed ones wait, and are closed when the next message brings others.
        c.execute("{\"execute\": \"query-fdsets\"}", many);
        assertEquals(connected + 1 + UnixStream.MAX_FDS, Descriptors.openCount());
        c.execute("{\"execute\": \"query-fdsets\"}", pair[0]);
        assertEquals(connected + 2, Descriptors.openCount());

        // A client naming descriptors without end is refused at the bound, each refused one closed.
        for (int i = 1; i < MonitorFds.MAX_NAMED; i++) {
            assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"h" + i + "\"}}", pair[0]));
        }
        assertReply(error("Too many named file descriptors (at most " + MonitorFds.MAX_NAMED + " per monitor)"),
                c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"over\"}}", pair[0]));
        assertEquals(connected + MonitorFds.MAX_NAMED, Descriptors.openCount());
        assertReply(OK, c.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"h1\"}}", pair[0]));
        assertEquals(connected + MonitorFds.MAX_NAMED, Descriptors.openCount(), "replacing a name stays within the bound");

        // So are fdsets, which all clients share.
        for (int i = 0; i < FdSets.MAX_FDS; i++) {
            c.execute("{\"execute\": \"add-fd\"}", pair[0]);
        }
        assertReply(error("Too many file descriptors in fdsets (at most " + FdSets.MAX_FDS + ")"),
                c.execute("{\"execute\": \"add-fd\"}", pair[0]));
        assertEquals(connected + MonitorFds.MAX_NAMED + FdSets.MAX_FDS, Descriptors.openCount());

        // Gone: its names and the fdsets (no other client is connected) are closed.
        c.close();
        Await.until(() -> Descriptors.openCount() == base, Duration.ofSeconds(10),
                "every descriptor closed once the client left", () -> openNow() + " open, " + base + " before");
    }

    private static String openNow() {
        try {
            return String.valueOf(Descriptors.openCount());
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void fdsetsLastWhileAnyClientIsConnected() throws Exception {
        QmpUnixClient stays = client();
        QmpUnixClient leaves = client();
        int fd = addFdAndGet(leaves);
        leaves.close();
        Await.until(() -> server.clients().size() == 1, "the leaving client gone");
        assertReply("{\"return\": [{\"fds\": [{\"fd\": " + fd + "}], \"fdset-id\": 0}]}",
                stays.execute("{\"execute\": \"query-fdsets\"}"));
        stays.close();
        Await.until(() -> file(fd) == null || !file(fd).equals(file(pair[0])), "the fdset closed with the last client");
        assertReply("{\"return\": []}", client().execute("{\"execute\": \"query-fdsets\"}"));
    }

    private int addFdAndGet(QmpUnixClient c) throws Exception {
        return JSON.readTree(c.execute("{\"execute\": \"add-fd\"}", pair[0])).path("return").path("fd").asInt();
    }

    @Test
    void netdevAddTakesTheDescriptorItsClientNamed() throws Exception {
        QmpUnixClient a = client();
        QmpUnixClient b = client();
        assertReply(OK, a.execute("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"sock\"}}", pair[0]));
        assertReply(error("File descriptor named 'sock' has not been found"),
                b.execute(netdevAdd("n1", "sock")), "names are the naming client's own");
        assertReply("{\"return\": \"Error: File descriptor named 'sock' has not been found\\r\\n\"}",
                a.execute("{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\":"
                        + " \"netdev_add fdx,id=n1,fd=sock\"}}"), "HMP runs in a monitor of its own, as in QEMU");
        assertReply(OK, a.execute(netdevAdd("n1", "sock")));
        int fd = Integer.parseInt(info("n1").substring("fd=".length()));
        assertEquals(file(pair[0]), file(fd), "the netdev holds the socket passed");
        assertReply(error("File descriptor named 'sock' not found"),
                a.execute("{\"execute\": \"closefd\", \"arguments\": {\"fdname\": \"sock\"}}"), "the netdev took it");
        assertReply(error("File descriptor named 'sock' has not been found"), a.execute(netdevAdd("n2", "sock")));
        assertReply(OK, a.execute("{\"execute\": \"netdev_del\", \"arguments\": {\"id\": \"n1\"}}"));
        assertNotEquals(file(pair[0]), file(fd), "deleting the netdev closed it");

        // Digits are a number this process inherited, as before; outside a client, names are not looked up.
        assertReply(error("n3: Can't use file descriptor 99999: Bad file descriptor"), a.execute(netdevAdd("n3", "99999")));
        Map<String, Object> arguments = new LinkedHashMap<>(Map.of("type", "fdx", "id", "n4", "fd", "sock"));
        assertEquals("Invalid file descriptor number 'sock'",
                assertThrows(NetException.class, () -> runtime.add(Section.NETDEV, arguments)).getMessage());
    }

    @Test
    void aUnixEndpointServesABoundedNumberOfClients() throws Exception {
        for (int i = 0; i < QmpAddress.CLIENTS; i++) {
            client();
        }
        try (UnixStream over = UnixStream.connect(dir.resolve("qmp.sock"))) {
            assertEquals(-1, over.receive(ByteBuffer.allocate(256), Libc::close), "refused: no greeting");
        }
        clients.removeFirst().close();
        Await.until(() -> server.clients().size() < QmpAddress.CLIENTS, "a client gone");
        assertReply("{\"return\": []}", client().execute("{\"execute\": \"query-fdsets\"}"));
    }

    @Test
    void overTcpNoDescriptorArrives() throws Exception {
        QmpListener tcp = server.listen("tcp:127.0.0.1:0,server=on,wait=off");
        try (QmpTestClient c = QmpTestClient.negotiated(tcp)) {
            c.assertError("{\"execute\": \"getfd\", \"arguments\": {\"fdname\": \"a\"}}", "GenericError",
                    "No file descriptor supplied via SCM_RIGHTS");
            c.assertError(netdevAdd("n1", "a"), "GenericError", "File descriptor named 'a' has not been found");
        }
    }

    private static String netdevAdd(String id, String fd) {
        return "{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"fdx\", \"id\": \"" + id + "\", \"fd\": \"" + fd
                + "\"}}";
    }

    private String info(String id) {
        return runtime.network().clients().stream().filter(c -> c.name().equals(id)).findFirst().orElseThrow().info();
    }
}
