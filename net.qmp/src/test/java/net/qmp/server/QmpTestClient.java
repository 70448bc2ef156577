package net.qmp.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import net.control.qmp.QmpListener;

/**
 * A QMP client for tests: a socket, a reader thread that checks every server message is one line
 * of ASCII ending in CRLF, and bounded waits for replies and events.
 */
final class QmpTestClient implements AutoCloseable {

    static final long TIMEOUT_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EOF = "<eof>";

    private final SocketChannel channel;
    private final OutputStream out;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    /** Every message in the order it arrived, replies and events alike. */
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private QmpTestClient(SocketAddress address) throws IOException {
        channel = SocketChannel.open(address);
        out = Channels.newOutputStream(channel);
        InputStream in = new BufferedInputStream(Channels.newInputStream(channel));
        reader = Thread.ofVirtual().name("qmp-test-client").start(() -> read(in));
    }

    /** @param listener an open endpoint: connects to it */
    static QmpTestClient connect(QmpListener listener) throws IOException {
        String address = listener.address();
        if (address.startsWith("unix:")) {
            return new QmpTestClient(UnixDomainSocketAddress.of(Path.of(address.substring(5))));
        }
        int colon = address.lastIndexOf(':');
        return new QmpTestClient(new InetSocketAddress("127.0.0.1", Integer.parseInt(address.substring(colon + 1))));
    }

    /** @param socket a unix socket a QMP server (Patchbay or QEMU) listens on */
    static QmpTestClient connect(Path socket) throws IOException {
        return new QmpTestClient(UnixDomainSocketAddress.of(socket));
    }

    /** Connects, checks the greeting, negotiates. */
    static QmpTestClient negotiated(QmpListener listener) throws Exception {
        QmpTestClient client = connect(listener);
        assertNotNull(client.next().get("QMP"));
        assertEquals("{}", client.execute("{\"execute\": \"qmp_capabilities\"}").get("return").toString());
        return client;
    }

    private void read(InputStream in) {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                if (b > 0x7F) {
                    throw new IllegalStateException("non-ASCII byte from the server: " + b);
                }
                line.write(b);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.US_ASCII);
                    line.reset();
                    if (!text.endsWith("\r\n")) {
                        throw new IllegalStateException("message not ended by CRLF: " + text);
                    }
                    String message = text.substring(0, text.length() - 2);
                    received.add(message);
                    (isEvent(message) ? events : replies).add(message);
                }
            }
        } catch (IOException | IllegalStateException e) {
            replies.add("<error " + e + ">");
        }
        replies.add(EOF);
        events.add(EOF);
    }

    /** Events are told by their member, wherever the server puts it (QEMU writes the timestamp first). */
    private static boolean isEvent(String message) {
        try {
            return JSON.readTree(message).has("event");
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends raw text as is. */
    void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends raw bytes as is. */
    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** @return the next reply (or the greeting), waiting a bounded time */
    JsonNode next() throws Exception {
        return parse(replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** @return the next reply (or the greeting) as the server wrote it, without its CRLF */
    String nextRaw() throws Exception {
        String message = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        parse(message);
        return message;
    }

    /** Sends one request and returns its reply's bytes, as the server wrote them. */
    String executeRaw(String request) throws Exception {
        send(request + "\n");
        return nextRaw();
    }

    /** @return the next event, waiting a bounded time */
    JsonNode nextEvent() throws Exception {
        return parse(events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** @return the next event as the server wrote it, waiting a bounded time */
    String nextEventRaw() throws Exception {
        String message = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        parse(message);
        return message;
    }

    /** @return every message received so far, in order (the greeting first) */
    List<JsonNode> received() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String m : received) {
            out.add(JSON.readTree(m));
        }
        return out;
    }

    /** Asserts no event arrives within a short while. */
    void assertNoEvent() throws InterruptedException {
        assertNull(events.poll(300, TimeUnit.MILLISECONDS), "no event expected");
    }

    /** @return whether the server closed the connection within the timeout */
    boolean closedByServer() throws InterruptedException {
        for (String m = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS); m != null;
                m = replies.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            if (m.equals(EOF)) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode parse(String message) throws IOException {
        assertNotNull(message, "no message within " + TIMEOUT_SECONDS + " s");
        assertTrue(!message.equals(EOF) && !message.startsWith("<error"), message);
        return JSON.readTree(message);
    }

    /** Sends one request and returns its reply. */
    JsonNode execute(String request) throws Exception {
        send(request + "\n");
        return next();
    }

    /** Sends a request and asserts an error reply. */
    void assertError(String request, String errorClass, String desc) throws Exception {
        JsonNode reply = execute(request);
        assertEquals(errorClass, reply.path("error").path("class").asText(), reply.toString());
        assertEquals(desc, reply.path("error").path("desc").asText(), reply.toString());
    }

    /** Sends a request and asserts {@code {"return": {}}}, byte for byte. */
    void assertEmptyReturn(String request) throws Exception {
        assertEquals("{\"return\": {}}", executeRaw(request));
    }

    /** Asserts the connection still works. */
    void assertUsable() throws Exception {
        assertEquals(7, execute("{\"execute\": \"query-version\"}").path("return").path("qemu").path("major").asInt());
    }

    @Override
    public void close() throws Exception {
        channel.close();
        reader.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    }
}
