package net.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import net.api.ErrorClass;
import net.api.NetException;
import net.control.qmp.QmpClientInfo;

/**
 * One QMP connection: its greeting, its negotiation state, the descriptors its client passed
 * ({@link MonitorFds}), and two virtual threads. The reader splits the input into JSON values and executes each request in turn, so replies come in request
 * order; the writer is the only thread that writes to the socket, so a reply and an event never
 * interleave inside a message. Events from runtime threads are only queued, never written there.
 *
 * <p>What a client costs is bounded in bytes: messages wait for it already serialised, at most
 * the endpoint's {@code max-queued} bytes of them (one that arrives while nothing waits is always
 * taken, so no reply is too large to send). A reply that does not fit waits, and so the client's
 * input waits: a client that reads slowly is served slowly, one that has read nothing for
 * {@link #STALL} is disconnected. An event that does not fit disconnects the client at once,
 * since the runtime thread that sends it must not wait. Its
 * input is bounded by {@link JsonStreamSplitter}, and no error echoes more than
 * {@value #MAX_DESC} characters of it. Anything thrown while serving the client, an
 * {@link Error} included, ends this session only.
 */
final class QmpSession {

    /**
     * The longest error text sent: QEMU echoes input in some (a command's name, a member's), and a
     * megabyte-long name must not come back as a megabyte-long reply.
     */
    static final int MAX_DESC = 1024;

    /** How long a reply waits for room while the client reads nothing before it is disconnected. */
    static final Duration STALL = Duration.ofSeconds(5);

    private static final String ELLIPSIS = "...";
    private static final String OOB = "oob";
    private static final String EXEC_OOB = "exec-oob";
    private static final int READ_BUFFER = 8 * 1024;

    /** A message for the writer, serialised with its CRLF, with what to do once it is on the wire. */
    private record Outgoing(byte[] bytes, Runnable afterWrite) {
    }

    private static final Outgoing CLOSE = new Outgoing(new byte[0], null);

    private final QmpConnection connection;
    private final MonitorFds fds = new MonitorFds();
    private final String endpoint;
    private final String peer;
    private final Instant since = Instant.now();
    private final QmpCommands commands;
    private final JsonNode greeting;
    private final System.Logger log;
    private final Consumer<QmpSession> onClose;
    private final long maxQueued;
    private final BlockingQueue<Outgoing> out = new LinkedBlockingQueue<>();
    /** Bytes in {@link #out}; the message being written is no longer counted. */
    private final AtomicLong queued = new AtomicLong();
    /** The most bytes {@link #out} ever held (tests check the bound with it). */
    private final AtomicLong peakQueued = new AtomicLong();
    /** Messages the writer took so far: a reply waiting for room watches it for progress. */
    private long taken;
    private final Object room = new Object();
    private volatile boolean negotiated;
    /** Whether the client enabled out-of-band execution; only the reader thread uses it. */
    private boolean oob;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long executed;

    /**
     * @param connection the accepted connection
     * @param endpoint the endpoint's address
     * @param peer     the client's address
     * @param maxQueued bytes that may wait for the client before it is disconnected
     * @param commands the command table
     * @param greeting the greeting message
     * @param log      where failures go
     * @param onClose  told once when the session ends
     */
    QmpSession(QmpConnection connection, String endpoint, String peer, long maxQueued, QmpCommands commands,
            JsonNode greeting, System.Logger log, Consumer<QmpSession> onClose) {
        this.connection = connection;
        this.endpoint = endpoint;
        this.peer = peer;
        this.maxQueued = maxQueued;
        this.commands = commands;
        this.greeting = greeting;
        this.log = log;
        this.onClose = onClose;
    }

    /** Sends the greeting and starts serving. */
    void start() {
        queue(greeting, null);
        Thread.ofVirtual().name("qmp-writer " + peer).start(this::write);
        Thread.ofVirtual().name("qmp-reader " + peer).start(this::read);
    }

    /** @return what the {@code net:qmp} command shows */
    QmpClientInfo info() {
        return new QmpClientInfo(endpoint, peer, negotiated, since, executed);
    }

    /** @return bytes waiting for the client now */
    long queuedBytes() {
        return queued.get();
    }

    /** @return the most bytes that ever waited for the client */
    long peakQueuedBytes() {
        return peakQueued.get();
    }

    /**
     * Queues an event if the client finished negotiation; never blocks (called from runtime threads).
     *
     * @param event the event message, serialised with its CRLF
     */
    void event(byte[] event) {
        event(event, null);
    }

    /**
     * Queues an event as {@link #event(byte[])} does, with what to do once it is on the wire.
     *
     * @param event      the event message, serialised with its CRLF
     * @param afterWrite runs once the event is written and flushed; never when the session ends first
     * @return whether the event was queued (the client negotiated, and is still connected)
     */
    boolean event(byte[] event, Runnable afterWrite) {
        if (!negotiated || closed.get()) {
            return false;
        }
        queue(new Outgoing(event, afterWrite), false);
        return true;
    }

    /** Disconnects the client; idempotent. */
    void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        out.clear();
        queued.set(0);
        out.offer(CLOSE);
        synchronized (room) {
            room.notifyAll(); // a reply waiting for room gives up
        }
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
            if (!closed.get()) {
                out.add(CLOSE);
            }
        } catch (IOException e) {
            // the client went away or we closed the socket: either way the session ends
            close();
        } catch (Throwable t) {
            failed(t);
        }
    }

    /** Something thrown while serving the client, an Error too: it ends this session, nothing else. */
    private void failed(Throwable t) {
        if (!closed.get()) {
            log.log(System.Logger.Level.ERROR, "QMP client " + peer + " disconnected after an internal error: " + t);
        }
        close();
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
        // An Error goes on to read(), which ends the session: the command left its state unknown.
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
        reply.putObject("error").put("class", errorClass.name()).put("desc", bounded(desc));
        return withId(reply, id);
    }

    private static ObjectNode withId(ObjectNode reply, JsonNode id) {
        if (id != null) {
            reply.set("id", id);
        }
        return reply;
    }

    /** @return the text, cut to {@value #MAX_DESC} characters with an ellipsis */
    static String bounded(String desc) {
        return desc.length() <= MAX_DESC ? desc : desc.substring(0, MAX_DESC - ELLIPSIS.length()) + ELLIPSIS;
    }

    private void reply(ObjectNode message, Runnable afterWrite) {
        queue(message, afterWrite);
    }

    private void queue(JsonNode message, Runnable afterWrite) {
        queue(new Outgoing(serialised(message), afterWrite), true);
    }

    /** @return the message as QEMU writes it, CRLF included */
    static byte[] serialised(JsonNode message) {
        byte[] json = QmpJsonWriter.write(message);
        byte[] line = Arrays.copyOf(json, json.length + 2);
        line[json.length] = '\r';
        line[json.length + 1] = '\n';
        return line;
    }

    /**
     * @param wait whether to wait for room (the reader's replies) rather than disconnect at once
     *             (events, from threads that must not wait)
     */
    private void queue(Outgoing message, boolean wait) {
        if (closed.get()) {
            return;
        }
        int size = message.bytes().length;
        if (wait && !awaitRoom(size)) {
            log.log(System.Logger.Level.WARNING, "QMP client " + peer + " reads too slowly: nothing read for "
                    + STALL.toSeconds() + " s with " + queued.get() + " bytes waiting (max-queued=" + maxQueued
                    + "); disconnected");
            close();
            return;
        }
        long now = queued.addAndGet(size);
        if (now > maxQueued && now > size) {
            log.log(System.Logger.Level.WARNING, "QMP client " + peer + " reads too slowly: " + (now - size)
                    + " bytes wait for it (max-queued=" + maxQueued + "); disconnected");
            close();
            return;
        }
        peakQueued.accumulateAndGet(now, Math::max);
        out.add(message);
    }

    /** @return false when the client read nothing for {@link #STALL} while the message did not fit */
    private boolean awaitRoom(int size) {
        synchronized (room) {
            long seen = taken;
            long deadline = System.nanoTime() + STALL.toNanos();
            while (!closed.get() && queued.get() > 0 && queued.get() + size > maxQueued) {
                if (taken != seen) {
                    seen = taken; // it reads, however slowly
                    deadline = System.nanoTime() + STALL.toNanos();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    room.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    private void write() {
        try (OutputStream stream = new BufferedOutputStream(connection.output())) {
            for (Outgoing next = out.take(); next != CLOSE; next = out.take()) {
                queued.addAndGet(-next.bytes().length);
                synchronized (room) {
                    taken++;
                    room.notifyAll();
                }
                stream.write(next.bytes());
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
        } catch (Throwable t) {
            failed(t);
        } finally {
            close();
        }
    }
}
