package net.http;

import jakarta.servlet.AsyncContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * One page listening on {@code /events}: a bounded queue of server-sent-event frames and a virtual
 * thread writing them, so that a slow or vanished page holds up no other page and never the ticker.
 * A page whose queue is full has fallen {@value #BACKLOG} events behind: it is dropped (the
 * browser's EventSource reconnects and gets the whole picture again).
 */
final class SseClient {

    /** Events a page may lag behind: half a minute of statistics. */
    static final int BACKLOG = 32;

    private final AsyncContext async;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(BACKLOG);
    private final Thread writer;
    private volatile boolean closed;

    SseClient(AsyncContext async) {
        this.async = async;
        this.writer = Thread.ofVirtual().name("patchbay-http-sse").unstarted(this::drain);
    }

    /**
     * @param event the event's name
     * @param json  its data, one line of JSON
     * @return the frame in SSE's text format
     */
    static byte[] frame(String event, String json) {
        return ("event: " + event + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    void start() {
        writer.start();
    }

    /**
     * @param frame an event frame
     * @return false when the page is gone or too far behind: the caller forgets it
     */
    boolean offer(byte[] frame) {
        if (closed || !queue.offer(frame)) {
            close();
            return false;
        }
        return true;
    }

    private void drain() {
        try {
            OutputStream out = async.getResponse().getOutputStream();
            while (!closed) {
                out.write(queue.take());
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException | IllegalStateException e) {
            // The page went away, or this client was closed: nothing to tell anyone.
        } finally {
            close();
        }
    }

    /** Ends the response; idempotent, from any thread. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        writer.interrupt();
        try {
            async.complete();
        } catch (IllegalStateException e) {
            // Already completed by the container (the connection failed or timed out).
        }
    }
}
