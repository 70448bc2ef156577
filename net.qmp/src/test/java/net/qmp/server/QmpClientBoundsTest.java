package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import net.control.qmp.QmpListener;
import net.testlib.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and greedy clients cost a bounded number of bytes, and what goes wrong serving one
 * client, an {@link Error} included, ends that client's session only; who may connect is limited.
 */
class QmpClientBoundsTest extends QmpServerFixture {

    private static final byte[] CAPABILITIES = "{\"execute\": \"qmp_capabilities\"}\n".getBytes(StandardCharsets.US_ASCII);

    record Crash(String kind) {
    }

    /** An event member whose serialisation throws an Error. */
    record Bomb(int value) {
        @Override
        public int value() {
            throw new StackOverflowError("test");
        }
    }

    private static SocketChannel open(QmpListener listener) throws IOException {
        String address = listener.address();
        int colon = address.lastIndexOf(':');
        return SocketChannel.open(new InetSocketAddress("127.0.0.1", Integer.parseInt(address.substring(colon + 1))));
    }

    private static QmpEndpoint endpoint(QmpListener listener) {
        return (QmpEndpoint) listener;
    }

    private static QmpSession onlySession(QmpListener listener) throws Exception {
        Await.until(() -> endpoint(listener).sessions().size() == 1, "the client is served");
        return endpoint(listener).sessions().getFirst();
    }

    @Test
    void aClientThatNeverReadsIsDisconnectedAtItsByteBound() throws Exception {
        QmpTestClient bystander = negotiated();
        int schema = bystander.executeRaw("{\"execute\": \"query-qmp-schema\"}").length() + 2;
        long bound = 64 * 1024;
        QmpListener bounded = server.listen("tcp:127.0.0.1:0,server=on,wait=off,max-queued=64k");
        byte[] request = "{\"execute\": \"query-qmp-schema\"}\n".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel hog = open(bounded)) {
            QmpSession session = onlySession(bounded);
            hog.write(ByteBuffer.wrap(CAPABILITIES));
            // It never reads: once the socket buffers are full its replies pile up in the server.
            // 2 000 replies are far more than the kernel's buffers hold.
            try {
                for (int i = 0; i < 2_000 && endpoint(bounded).sessions().contains(session); i++) {
                    hog.write(ByteBuffer.wrap(request));
                }
            } catch (IOException cut) {
                // the server hung up while it was sending
            }
            Await.until(() -> endpoint(bounded).sessions().isEmpty(), "the hog is disconnected");
            assertTrue(session.peakQueuedBytes() <= Math.max(bound, schema),
                    session.peakQueuedBytes() + " bytes queued, bound " + bound + ", one reply " + schema);
            assertEquals(0, session.queuedBytes(), "its queue is let go");
        }
        assertEquals(1, log.count("reads too slowly"), log.lines().toString());
        bystander.assertUsable();
        try (QmpTestClient next = QmpTestClient.negotiated(bounded)) {
            next.assertUsable();
        }
        bounded.close();
    }

    @Test
    void aClientThatReadsIsServedWhateverItAsksAndItsQueueStaysBounded() throws Exception {
        QmpListener bounded = server.listen("tcp:127.0.0.1:0,server=on,wait=off,max-queued=16k");
        QmpTestClient reader = QmpTestClient.negotiated(bounded);
        QmpSession session = onlySession(bounded);
        int requests = 300;
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            burst.append("{\"execute\": \"query-qmp-schema\", \"id\": ").append(i).append("}\n");
        }
        reader.send(burst.toString());
        for (int i = 0; i < requests; i++) {
            assertEquals(i, reader.next().path("id").asInt(-1));
        }
        // Replies far larger than the bound in all went out; what waited stayed under it but for
        // one reply taken while nothing else waited.
        int schema = reader.executeRaw("{\"execute\": \"query-qmp-schema\"}").length() + 2;
        assertTrue(session.peakQueuedBytes() <= Math.max(16 * 1024, schema), session.peakQueuedBytes() + " bytes");
        assertEquals(0, log.count("reads too slowly"), log.lines().toString());
        reader.close();
        bounded.close();
    }

    @Test
    void aMegabyteCommandNameComesBackCutAndCostsNoMegabytes() throws Exception {
        String name = "a".repeat(1_000_000);
        byte[] request = ("{\"execute\": \"" + name + "\"}\n").getBytes(StandardCharsets.US_ASCII);
        int commands = 100;
        try (SocketChannel greedy = open(tcp)) {
            QmpSession session = onlySession(tcp);
            greedy.write(ByteBuffer.wrap(CAPABILITIES));
            for (int i = 0; i < commands; i++) {
                greedy.write(ByteBuffer.wrap(request));
            }
            Await.until(() -> server.clients().getFirst().commands() == commands + 1, "every command is read");
            // 100 replies wait, a couple of hundred bytes each: nothing near 100 MB.
            assertTrue(session.peakQueuedBytes() < 32 * 1024, session.peakQueuedBytes() + " bytes queued");
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(greedy),
                    StandardCharsets.US_ASCII));
            in.readLine(); // greeting
            assertEquals("{\"return\": {}}", in.readLine());
            String expected = "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
                    + "a".repeat(QmpCommands.MAX_NAME_ECHO) + "... has not been found\"}}";
            for (int i = 0; i < commands; i++) {
                assertEquals(expected, in.readLine());
            }
        }
        // QEMU's text stays as it is for any real name.
        QmpTestClient c = negotiated();
        String longest = "x".repeat(QmpCommands.MAX_NAME_ECHO);
        c.assertError("{\"execute\": \"" + longest + "\"}", "CommandNotFound", "The command " + longest + " has not been found");
    }

    @Test
    void anyErrorTextIsBounded() {
        String text = "y".repeat(5000);
        String bounded = QmpSession.bounded(text);
        assertEquals(QmpSession.MAX_DESC, bounded.length());
        assertTrue(bounded.endsWith("..."));
        assertEquals("short", QmpSession.bounded("short"));
    }

    @Test
    void anErrorServingOneClientEndsThatSessionOnly() throws Exception {
        server.bindQmpCommand(new QmpCommand<Crash>() {
            @Override
            public Class<Crash> argumentsType() {
                return Crash.class;
            }

            @Override
            public Object execute(Crash arguments) throws NetException {
                throw "stack".equals(arguments.kind()) ? new StackOverflowError("test") : new OutOfMemoryError("test");
            }
        }, Map.of(QmpCommand.NAME, "x-crash"));
        QmpTestClient bystander = negotiated();
        for (String kind : new String[] {"heap", "stack"}) {
            QmpTestClient victim = negotiated();
            victim.send("{\"execute\": \"x-crash\", \"arguments\": {\"kind\": \"" + kind + "\"}}\n");
            assertTrue(victim.closedByServer(), kind + ": the session is closed");
            Await.until(() -> server.clients().size() == 1, kind + ": only the bystander is left");
            bystander.assertUsable();
        }
        assertEquals(1, log.count("OutOfMemoryError"), log.lines().toString());
        assertEquals(1, log.count("StackOverflowError"), log.lines().toString());
        // The runtime's loops carry on, and so do its events.
        bystander.assertEmptyReturn("{\"execute\": \"netdev_add\", \"arguments\": {\"type\": \"x\", \"id\": \"n1\", \"txsession\": 1}}");
        assertTrue(bystander.nextEventRaw().contains("\"netdev-id\": \"n1\""));
    }

    @Test
    void anEventThatCannotBeSentStopsNothing() throws Exception {
        QmpTestClient c = negotiated();
        assertDoesNotThrow(() -> server.event("X_BOMB", Map.of("bomb", new Bomb(1)), Instant.now()));
        assertEquals(1, log.count("QMP event X_BOMB not sent"), log.lines().toString());
        server.event("SHUTDOWN", Map.of(), Instant.ofEpochSecond(12, 345_678_000));
        assertTrue(c.nextEventRaw().startsWith("{\"timestamp\": {\"seconds\": 12, \"microseconds\": 345678}, \"event\": \"SHUTDOWN\""));
        c.assertUsable();
    }

    @Test
    void aTokenCountBombIsOneErrorAndTheConnectionLives() throws Exception {
        QmpTestClient c = negotiated();
        byte[] many = new byte[2 + 2 * JsonStreamSplitter.MAX_TOKEN_COUNT];
        Arrays.fill(many, (byte) ',');
        many[0] = '[';
        for (int i = 1; i < many.length - 1; i += 2) {
            many[i] = '1';
        }
        many[many.length - 1] = ']';
        c.send(many);
        c.assertError("{\"execute\": \"query-version\", \"id\": 1}", "GenericError", "JSON token count limit exceeded");
    }

    // ---- access ----------------------------------------------------------------------------------

    @Test
    void theUnixSocketIsTheOwnersOnlyWhateverTheUmask(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("qmp.sock");
        QmpListener unix = server.listen("unix:" + socket + ",server=on,wait=off");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        try (QmpTestClient c = QmpTestClient.negotiated(unix)) {
            c.assertUsable();
        }
        unix.close();
    }

    @Test
    void clientsBeyondMaxClientsAreTurnedAway() throws Exception {
        QmpListener two = server.listen("tcp:127.0.0.1:0,server=on,wait=off,max-clients=2");
        QmpTestClient a = QmpTestClient.negotiated(two);
        QmpTestClient b = QmpTestClient.negotiated(two);
        try (QmpTestClient over = QmpTestClient.connect(two)) {
            assertTrue(over.closedByServer(), "refused: no greeting");
        }
        assertEquals(1, log.count("refused a client: 2 are connected"), log.lines().toString());
        a.close();
        Await.until(() -> endpoint(two).sessions().size() == 1, "a client gone");
        try (QmpTestClient c = QmpTestClient.negotiated(two)) {
            c.assertUsable();
        }
        b.close();
        two.close();
    }

    @Test
    void limitsAreCheckedAsQemuChecksNumbers() {
        assertEquals("Parameter 'max-clients' expects a positive number",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:0,max-clients=0")).getMessage());
        assertEquals("Parameter 'max-queued' expects a positive number",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:0,max-queued=1x")).getMessage());
        assertEquals("Parameter 'remote' expects 'on' or 'off'",
                assertThrows(NetException.class, () -> server.listen("tcp:127.0.0.1:0,remote=maybe")).getMessage());
    }

    @Test
    void aNonLoopbackAddressNeedsRemoteOnAndIsWarnedAbout() throws Exception {
        // Refused before anything is bound.
        assertEquals("QMP endpoint 'tcp:0.0.0.0:0,server=on': QMP is unauthenticated; listening on 0.0.0.0, which"
                + " is not a loopback address, needs remote=on",
                assertThrows(NetException.class, () -> server.listen("tcp:0.0.0.0:0,server=on")).getMessage());
        assertThrows(NetException.class, () -> server.listen("tcp:[::]:0"));
        assertEquals(0, log.count("open to other hosts"));
        QmpListener remote = server.listen("tcp:127.0.0.1:0,remote=on");
        assertEquals(1, log.count("QMP endpoint " + remote.address() + " is open to other hosts: QMP is unauthenticated"),
                log.lines().toString());
        remote.close();
    }
}
