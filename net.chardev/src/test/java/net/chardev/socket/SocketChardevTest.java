package net.chardev.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import net.api.ErrorClass;
import net.api.NetException;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.control.QemuOptions;
import net.hub.loop.ClientLoop;
import net.hub.loop.EventLoopGroup;
import net.testlib.Await;
import net.testlib.Background;
import net.testlib.Ports;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Socket chardevs on a real event loop, against real sockets: QEMU's options, texts and connection life. */
class SocketChardevTest {

    private static final System.Logger LOG = System.getLogger("test");

    @TempDir
    Path dir;
    private final EventLoopGroup loops = new EventLoopGroup(1, LOG);
    private final ClientLoop loop = new ClientLoop(loops.next(), LOG);
    private final ChardevRegistry registry = new ChardevRegistry(System.getLogger("test"));

    /** Records what the chardev tells its front end and echoes nothing. */
    static final class Recorder implements ChardevHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final StringBuffer received = new StringBuffer();
        final AtomicReference<ChardevPort> port = new AtomicReference<>();

        @Override
        public void opened() {
            events.add("opened");
        }

        @Override
        public void closed() {
            events.add("closed");
        }

        @Override
        public void readable() {
            ByteBuffer buffer = ByteBuffer.allocate(256);
            while (port.get().read(buffer.clear()) > 0) {
                received.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
            }
        }

        @Override
        public void writable() {
            events.add("writable");
        }
    }

    /** Front ends still attached at the end of a test. */
    private final List<ChardevPort> attached = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws Exception {
        onLoop(() -> {
            attached.forEach(ChardevPort::close); // detach, so the registry can close every socket
            loop.close(); // the loop view is the loop's to close
        });
        registry.deactivate();
        loops.close();
    }

    private String add(String options) throws NetException {
        return registry.add(QemuOptions.parse(options, "backend"));
    }

    private ChardevPort attach(String id, Recorder recorder) throws Exception {
        AtomicReference<Object> result = new AtomicReference<>();
        loop.execute(() -> {
            try {
                ChardevPort port = registry.attach(id, loop, recorder);
                attached.add(port);
                recorder.port.set(port);
                result.set(port);
            } catch (NetException e) {
                result.set(e);
            }
        });
        Await.until(() -> result.get() != null, "attached");
        if (result.get() instanceof NetException e) {
            throw e;
        }
        return (ChardevPort) result.get();
    }

    private void onLoop(Runnable task) throws Exception {
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        loop.execute(() -> {
            task.run();
            done.set(true);
        });
        Await.until(done::get, "task ran");
    }

    @Test
    void unixServerTakesOneClientAfterAnother() throws Exception {
        Path path = dir.resolve("c0.sock");
        add("socket,id=c0,path=" + path + ",server=on,wait=off");
        assertEquals(List.of(new ChardevInfo(false, "disconnected:unix:" + path + ",server=on", "c0")), registry.list());
        Recorder recorder = new Recorder();
        ChardevPort port = attach("c0", recorder);
        for (int round = 1; round <= 2; round++) {
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                int opened = round;
                Await.until(() -> recorder.events.stream().filter("opened"::equals).count() == opened, "opened");
                assertEquals(List.of(new ChardevInfo(true, "unix:" + path + ",server=on", "c0")), registry.list());
                client.write(ByteBuffer.wrap(("hello" + round).getBytes(StandardCharsets.US_ASCII)));
                Await.until(() -> recorder.received.toString().endsWith("hello" + opened), "read");
                onLoop(() -> port.write(ByteBuffer.wrap("back".getBytes(StandardCharsets.US_ASCII))));
                ByteBuffer in = ByteBuffer.allocate(4);
                while (in.hasRemaining() && client.read(in) >= 0) {
                    // blocking read of the 4 bytes the chardev wrote
                }
                assertEquals("back", new String(in.array(), StandardCharsets.US_ASCII));
            }
            int closed = round;
            Await.until(() -> recorder.events.stream().filter("closed"::equals).count() == closed, "closed");
        }
        assertEquals("Chardev 'c0' is busy", assertThrows(NetException.class, () -> registry.remove("c0")).getMessage());
        NetException inUse = assertThrows(NetException.class, () -> attach("c0", new Recorder()));
        assertEquals("Device 'c0' is in use", inUse.getMessage());
        onLoop(port::close);
        registry.remove("c0");
        assertEquals(List.of(), registry.list());
        assertEquals("Chardev 'c0' not found", assertThrows(NetException.class, () -> registry.remove("c0")).getMessage());
        NetException missing = assertThrows(NetException.class, () -> attach("c0", new Recorder()));
        assertEquals(ErrorClass.DeviceNotFound, missing.errorClass());
        assertEquals("Device 'c0' not found", missing.getMessage());
    }

    @Test
    void aServerThatWaitsHoldsItsCreationUntilAClientConnects() throws Exception {
        Path path = dir.resolve("w.sock");
        Thread adding = Background.start(() -> add("socket,id=w,path=" + path + ",server=on"));
        Await.until(() -> Ports.unixListening(path), "listening");
        assertTrue(adding.isAlive(), "wait=on (the command line's default) waits for the first client");
        assertEquals(List.of(), registry.list());
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            adding.join(Await.DEFAULT.toMillis());
            assertFalse(adding.isAlive(), "the client let the creation go on");
            assertEquals(List.of(new ChardevInfo(false, "unix:" + path + ",server=on", "w")), registry.list());
        }
    }

    @Test
    void tcpClientReconnectsToItsServer() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = server.socket().getLocalPort();
            add("socket,id=c1,host=127.0.0.1,port=" + port + ",reconnect=1");
            SocketChannel first = server.accept();
            String local = "127.0.0.1:" + ((InetSocketAddress) first.getRemoteAddress()).getPort();
            assertEquals(List.of(new ChardevInfo(false, "tcp:" + local + " <-> 127.0.0.1:" + port, "c1")), registry.list());
            Recorder recorder = new Recorder();
            attach("c1", recorder);
            Await.until(() -> recorder.events.equals(List.of("opened")), "opened on attach");
            first.close();
            Await.until(() -> recorder.events.equals(List.of("opened", "closed")), "closed");
            assertEquals("disconnected:tcp:127.0.0.1:" + port, registry.list().get(0).filename());
            try (SocketChannel second = server.accept()) {
                Await.until(() -> recorder.events.equals(List.of("opened", "closed", "opened")), "reconnected");
                second.write(ByteBuffer.wrap("again".getBytes(StandardCharsets.US_ASCII)));
                Await.until(() -> recorder.received.toString().equals("again"), "read after reconnecting");
            }
        }
    }

    @Test
    void aFrontEndEndsTheConnectionAndTheServerTakesTheNext() throws Exception {
        Path path = dir.resolve("d.sock");
        add("socket,id=d,path=" + path + ",server=on,wait=off");
        Recorder recorder = new Recorder();
        ChardevPort port = attach("d", recorder);
        try (SocketChannel first = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            Await.until(() -> recorder.events.equals(List.of("opened")), "opened");
            onLoop(() -> assertTrue(port.descriptor() >= 0, "a connected port has a descriptor"));
            onLoop(port::disconnect);
            assertEquals(-1, first.read(ByteBuffer.allocate(1)), "the client sees the end");
            Await.until(() -> recorder.events.equals(List.of("opened", "closed")), "closed");
            onLoop(() -> assertEquals(-1, port.descriptor()));
        }
        try (SocketChannel second = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            Await.until(() -> recorder.events.equals(List.of("opened", "closed", "opened")), "the next client");
        }
    }

    @Test
    void qemusShortFormBooleansStillWork() throws Exception {
        Path path = dir.resolve("s.sock");
        add("socket,id=s,path=" + path + ",server,nowait"); // would wait for a client with wait=on
        assertEquals(List.of(new ChardevInfo(false, "disconnected:unix:" + path + ",server=on", "s")), registry.list());
    }

    @Test
    void optionErrorsAreQemus() throws IOException {
        Path path = dir.resolve("x.sock");
        String[] cases = {
                "socket,id=c0", "Unable to parse FD number ",
                "socket,id=c0,path=" + path, "Failed to connect to '" + path + "': No such file or directory",
                "socket,id=c0,path=" + path + ",wait=off", "'wait' option is incompatible with socket in client connect mode",
                "sockett,id=c0,path=" + path, "'sockett' is not a valid char driver name",
                "socket,path=" + path, "chardev: no id specified",
                "socket,id=c0,path=" + path + ",server=on,wait=off,foo=1", "Invalid parameter 'foo'",
                "socket,id=c0,host=127.0.0.1", "chardev: socket: no port given",
                "id=c0", "chardev: \"c0\" missing backend",
                "socket,id=0c,path=" + path + ",server=on,wait=off", "Parameter 'id' expects an identifier",
                "socket,id=c0,path=" + path + ",server=on,wait=off,reconnect=x", "Parameter 'reconnect' expects a number",
                "socket,id=c0,path=" + path + ",server=maybe", "Parameter 'server' expects 'on' or 'off'",
                "socket,id=c0,path=" + path + ",server=on,wait=off,reconnect=1",
                "'reconnect' option is incompatible with socket in server listen mode"};
        for (int i = 0; i < cases.length; i += 2) {
            String options = cases[i];
            assertEquals(cases[i + 1], assertThrows(NetException.class, () -> add(options)).getMessage(), options);
        }
    }

    @Test
    void qmpErrorsAreQemus() throws Exception {
        Path path = dir.resolve("q.sock");
        Map<String, Object> unix = Map.of("type", "unix", "data", Map.of("path", path.toString()));
        registry.add("c0", Map.of("type", "socket", "data", Map.of("addr", unix, "wait", false)));
        assertEquals("disconnected:unix:" + path + ",server=on", registry.list().get(0).filename(), "QMP's server defaults to true");
        Map<Map<String, Object>, String> cases = Map.of(
                Map.of("type", "socket", "data", Map.of("addr", unix)), "Chardev with id 'c0' already exists",
                Map.of("type", "sockett", "data", Map.of()), "Parameter 'type' does not accept value 'sockett'",
                Map.of("type", "socket"), "Parameter 'backend.data' is missing",
                Map.of("type", "socket", "data", Map.of("server", true)), "Parameter 'backend.data.addr' is missing",
                Map.of("type", "socket", "data", Map.of("addr", unix, "x", 1)), "Parameter 'backend.data.x' is unexpected",
                Map.of("type", "socket", "data", Map.of("addr", unix, "server", "yes")),
                "Invalid parameter type for 'backend.data.server', expected: boolean",
                Map.of("type", "socket", "data", Map.of("addr", Map.of("type", "inet", "data", Map.of("host", "127.0.0.1")))),
                "Parameter 'backend.data.addr.data.port' is missing",
                Map.of("type", "socket", "data", Map.of("addr", unix, "server", false, "wait", false)),
                "Failed to add chardev 'c0': 'wait' option is incompatible with socket in client connect mode");
        cases.forEach((backend, error) ->
                assertEquals(error, assertThrows(NetException.class, () -> registry.add("c0", backend)).getMessage(),
                        backend.toString()));
        Map<String, Object> nowhere = Map.of("type", "unix", "data", Map.of("path", dir.resolve("none/x").toString()));
        assertEquals("Failed to add chardev 'c2': Failed to bind socket to " + dir.resolve("none/x") + ": No such file or directory",
                assertThrows(NetException.class, () -> registry.add("c2", Map.of("type", "socket", "data", Map.of("addr", nowhere))))
                        .getMessage());
        assertTrue(registry.list().size() == 1);
    }
}
