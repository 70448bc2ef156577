package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.qmp.QmpClientInfo;

/**
 * One QMP connection: its greeting, its negotiation state, the descriptors its client passed
 * ({@link MonitorFds}), and two threads (virtual, or platform ones over a unix socket whose calls
 * block in native code). The reader
 * splits the input into JSON values and executes each request in turn, so replies come in request
 * order; the writer is the only thread that writes to the socket, so a reply and an event never
 * interleave inside a message. Events from runtime threads are only queued, never written there.
 */
final class QmpSession {

    /** Messages waiting for a slow client; an event that finds the queue full disconnects it. */
    static final int MAX_QUEUED = 1024;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final String OOB = "oob";
    private static final String EXEC_OOB = "exec-oob";
    private static final int READ_BUFFER = 8 * 1024;

    /** A message for the writer, with what to do once it is on the wire. */
    private record Outgoing(Object message, Runnable afterWrite) {
    }

    private static final Outgoing CLOSE = new Outgoing(null, null);

    private final QmpConnection connection;
    private final MonitorFds fds = new MonitorFds();
    private final String endpoint;
    private final String peer;
    private final Instant since = Instant.now();
    private final QmpCommands commands;
    private final Object greeting;
    private final System.Logger log;
    private final Consumer<QmpSession> onClose;
    private final BlockingQueue<Outgoing> out = new ArrayBlockingQueue<>(MAX_QUEUED);
    private volatile boolean negotiated;
    /** Whether the client enabled out-of-band execution; only the reader thread uses it. */
    private boolean oob;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long executed;

    /**
     * @param connection the accepted connection
     * @param endpoint the endpoint's address
     * @param peer     the client's address
     * @param commands the command table
     * @param greeting the greeting message
     * @param log      where failures go
     * @param onClose  told once when the session ends
     */
    QmpSession(QmpConnection connection, String endpoint, String peer, QmpCommands commands, Object greeting,
            System.Logger log, Consumer<QmpSession> onClose) {
        this.connection = connection;
        this.endpoint = endpoint;
        this.peer = peer;
        this.commands = commands;
        this.greeting = greeting;
        this.log = log;
        this.onClose = onClose;
    }

    /** Sends the greeting and starts serving. */
    void start() {
        queue(new Outgoing(greeting, null));
        connection.threads().name("qmp-writer " + peer).start(this::write);
        connection.threads().name("qmp-reader " + peer).start(this::read);
    }

    /** @return what the {@code net:qmp} command shows */
    QmpClientInfo info() {
        return new QmpClientInfo(endpoint, peer, negotiated, since, executed);
    }

    /**
     * Queues an event if the client finished negotiation; never blocks (called from runtime threads).
     *
     * @param event the event message
     */
    void event(Map<String, Object> event) {
        if (negotiated && !closed.get() && !out.offer(new Outgoing(event, null))) {
            log.log(System.Logger.Level.WARNING, "QMP client " + peer + " reads too slowly; disconnected");
            close();
        }
    }

    /** Disconnects the client; idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        out.clear();
        out.offer(CLOSE);
        connection.close();
        fds.closeAll();
        onClose.accept(this);
    }

    private void read() {
        JsonStreamSplitter splitter = new JsonStreamSplitter(new JsonStreamSplitter.Sink() {
            @Override
            public void value(List<JsonStreamSplitter.Token> tokens) {
                parsed(tokens);
            }

            @Override
            public void error(String desc) {
                reply(QmpSession.error(ErrorClass.GenericError, desc, null), null);
            }
        });
        ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
        try {
            while (!closed.get() && connection.read(buffer.clear(), fds::received) >= 0) {
                // Descriptors that came with these bytes serve the commands in them and after.
                fds.arrived();
                splitter.feed(buffer.array(), 0, buffer.position());
            }
            // End of input (e.g. socat after its last line): the replies still go out, then the
            // writer closes the session.
            queue(CLOSE);
        } catch (IOException e) {
            // the client went away or we closed the socket: either way the session ends
            close();
        }
    }

    private void parsed(List<JsonStreamSplitter.Token> tokens) {
        JsonNode request;
        try {
            request = QmpJsonParser.parse(tokens);
        } catch (NetException e) {
            reply(error(e.errorClass(), e.getMessage(), null), null);
            return;
        }
        if (!(request instanceof ObjectNode object)) {
            reply(error(ErrorClass.GenericError, "QMP input must be a JSON object", null), null);
            return;
        }
        JsonNode id = object.get("id");
        try {
            handle(object, id);
        } catch (NetException e) {
            String desc = e.getMessage();
            if (!negotiated && e.errorClass() == ErrorClass.CommandNotFound) {
                // QEMU's negotiation mode knows one command and says so for any other.
                desc = "Expecting capabilities negotiation with 'qmp_capabilities'";
            }
            reply(error(e.errorClass(), desc, id), null);
        } catch (RuntimeException e) {
            log.log(System.Logger.Level.ERROR, "QMP request from " + peer + " failed: " + e, e);
            reply(error(ErrorClass.GenericError, String.valueOf(e.getMessage()), id), null);
        }
    }

    /** QEMU's checks of a request's shape, member by member in the order its QDict holds them. */
    private void handle(ObjectNode request, JsonNode id) throws NetException {
        String name = null;
        boolean outOfBand = false;
        ObjectNode arguments = QmpJson.MAPPER.createObjectNode();
        for (Map.Entry<String, JsonNode> member : QmpJsonWriter.qdictOrder(request.properties())) {
            String key = member.getKey();
            JsonNode value = member.getValue();
            switch (key) {
                case "arguments" -> {
                    if (!(value instanceof ObjectNode given)) {
                        throw NetException.generic("QMP input member 'arguments' must be an object");
                    }
                    arguments = given;
                }
                case "id" -> {
                    // echoed verbatim
                }
                default -> {
                    // exec-oob is a member only once the client enabled out-of-band execution.
                    if (!key.equals("execute") && !(key.equals(EXEC_OOB) && oob)) {
                        throw NetException.generic("QMP input member '%s' is unexpected", key);
                    }
                    if (!value.isTextual()) {
                        throw NetException.generic("QMP input member '%s' must be a string", key);
                    }
                    if (name != null) {
                        throw NetException.generic("QMP input member '%s' clashes with '%s'", key,
                                key.equals("execute") ? EXEC_OOB : "execute");
                    }
                    name = value.textValue();
                    outOfBand = key.equals(EXEC_OOB);
                }
            }
        }
        if (name == null) {
            throw NetException.generic("QMP input lacks member 'execute'");
        }
        executed++;
        if (!negotiated && !QmpCommands.CAPABILITIES.equals(name)) {
            throw QmpCommands.notFound(name);
        }
        if (outOfBand && commands.exists(name)) {
            // No command of Patchbay's is QEMU's allow-oob kind.
            throw NetException.generic("The command %s does not support OOB", name);
        }
        if (QmpCommands.CAPABILITIES.equals(name)) {
            negotiate(arguments, id);
        } else {
            QmpCommands.Outcome outcome = commands.execute(name, arguments, fds);
            reply(success(outcome.value(), id), outcome.afterReply());
        }
    }

    private void negotiate(ObjectNode arguments, JsonNode id) throws NetException {
        QmpArguments a = new QmpArguments(arguments);
        JsonNode enable = a.optionalArray("enable");
        if (enable != null) {
            for (int i = 0; i < enable.size(); i++) {
                JsonNode capability = enable.get(i);
                if (!capability.isTextual()) {
                    throw NetException.generic("Invalid parameter type for 'enable[%d]', expected: string", i);
                }
                if (!capability.textValue().equals(OOB)) {
                    // QEMU's visitor has no name for a list element here.
                    throw NetException.generic("Parameter 'null' does not accept value '%s'", capability.textValue());
                }
            }
        }
        a.done();
        if (negotiated) {
            throw new NetException(ErrorClass.CommandNotFound, "Capabilities negotiation is already complete, command ignored");
        }
        oob = enable != null && !enable.isEmpty();
        // Queued before the switch, so no event overtakes the reply.
        reply(success(QmpJson.MAPPER.createObjectNode(), id), null);
        negotiated = true;
    }

    private static ObjectNode success(JsonNode value, JsonNode id) {
        ObjectNode reply = QmpJson.MAPPER.createObjectNode();
        reply.set("return", value);
        return withId(reply, id);
    }

    private static ObjectNode error(ErrorClass errorClass, String desc, JsonNode id) {
        ObjectNode reply = QmpJson.MAPPER.createObjectNode();
        reply.putObject("error").put("class", errorClass.name()).put("desc", desc);
        return withId(reply, id);
    }

    private static ObjectNode withId(ObjectNode reply, JsonNode id) {
        if (id != null) {
            reply.set("id", id);
        }
        return reply;
    }

    /** Replies wait for room: a client that does not read stops being read. */
    private void reply(ObjectNode message, Runnable afterWrite) {
        queue(new Outgoing(message, afterWrite));
    }

    private void queue(Outgoing message) {
        try {
            if (!closed.get()) {
                out.put(message);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
    }

    private void write() {
        try (OutputStream stream = new BufferedOutputStream(connection.output())) {
            for (Outgoing next = out.take(); next != CLOSE; next = out.take()) {
                stream.write(QmpJsonWriter.write(QmpJson.MAPPER.valueToTree(next.message())));
                stream.write(CRLF);
                if (out.isEmpty() || next.afterWrite() != null) {
                    stream.flush();
                }
                if (next.afterWrite() != null) {
                    next.afterWrite().run();
                }
            }
        } catch (IOException e) {
            // the client went away; the reader notices too
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }
}
