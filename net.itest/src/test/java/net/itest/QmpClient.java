package net.itest;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A QMP client as a management tool has one: it reads the greeting, sends JSON commands one per
 * line and waits for the reply with its {@code id}, skipping events. Every read is bounded by the
 * socket timeout, and every server line must end with CRLF, as QEMU's do.
 */
final class QmpClient implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final JsonNode greeting;
    private int nextId;

    private QmpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.greeting = read();
    }

    /**
     * Connects and reads the greeting.
     *
     * @param port a QMP endpoint's port on 127.0.0.1
     * @return the client, not yet negotiated
     * @throws IOException when the connection or the greeting fails
     */
    static QmpClient connect(int port) throws IOException {
        Socket socket = new Socket();
        try {
            int timeout = (int) Await.TIMEOUT.toMillis();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), timeout);
            socket.setSoTimeout(timeout);
            return new QmpClient(socket);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /** @return the greeting, {@code {"QMP": {...}}} */
    JsonNode greeting() {
        return greeting;
    }

    /** @return this end's address as the server sees it, e.g. {@code 127.0.0.1:53422} */
    String localAddress() {
        return socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    /**
     * Sends {@code qmp_capabilities} and checks the {@code {"return": {}}}.
     *
     * @throws IOException on a connection failure
     */
    void negotiate() throws IOException {
        JsonNode reply = execute("qmp_capabilities", null);
        assertEquals("reply to qmp_capabilities: " + reply, json.createObjectNode(), reply.get("return"));
    }

    /**
     * Runs a command.
     *
     * @param command   its name
     * @param arguments its arguments, or null for none
     * @return the reply: {@code {"return": ...}} or {@code {"error": ...}}, with the id removed
     *         once checked
     * @throws IOException on a connection failure
     */
    JsonNode execute(String command, Map<String, ?> arguments) throws IOException {
        int id = nextId++;
        ObjectNode request = json.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", json.valueToTree(arguments));
        }
        request.put("id", id);
        out.write(json.writeValueAsBytes(request));
        out.write('\n');
        out.flush();
        while (true) {
            JsonNode reply = read();
            if (reply.has("event")) {
                continue;
            }
            assertEquals("id of the reply to " + request + ": " + reply, id, reply.path("id").asInt(-1));
            ((ObjectNode) reply).remove("id");
            return reply;
        }
    }

    /** Reads one server line, checking that it ends with CRLF. */
    private JsonNode read() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("QMP server closed the connection after " + line.toString(StandardCharsets.UTF_8));
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.UTF_8);
        assertTrue("server line ends with CRLF: " + text, text.endsWith("\r"));
        return json.readTree(text);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
