package net.testlib;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import net.posix.Libc;
import net.posix.UnixStream;

/**
 * A QMP client on a unix socket that passes descriptors with its commands (SCM_RIGHTS), as
 * libvirt or Python's {@code socket.send_fds} do: {@code getfd}, {@code add-fd}. Lines in and
 * out are the raw text, so a test compares them with QEMU's. Replies are read on the calling
 * thread, bounded by a read timeout; events are skipped. Descriptors the server sends back are
 * closed.
 */
public final class QmpUnixClient implements AutoCloseable {

    private final UnixStream stream;
    private final Deque<String> lines = new ArrayDeque<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteBuffer buffer = ByteBuffer.allocate(8192);
    private final Thread watchdog;

    /**
     * Connects, reads the greeting and negotiates.
     *
     * @param path the server's socket
     * @throws IOException when it cannot connect or the negotiation fails
     */
    public QmpUnixClient(Path path) throws IOException {
        stream = UnixStream.connect(path);
        // A reply that never comes must fail the test, not hang it: the watchdog cuts the socket.
        watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Await.DEFAULT.toMillis() * 4);
                stream.close();
            } catch (InterruptedException e) {
                // closed first
            }
        });
        String greeting = nextLine();
        if (!greeting.startsWith("{\"QMP\"")) {
            throw new IOException("not a QMP greeting: " + greeting);
        }
        String reply = execute("{\"execute\": \"qmp_capabilities\"}");
        if (!reply.contains("\"return\"")) {
            throw new IOException("negotiation failed: " + reply);
        }
    }

    /**
     * Sends a command with descriptors attached and returns its reply.
     *
     * @param command     the JSON text
     * @param descriptors passed with its bytes (this process keeps its own copies)
     * @return the reply line, without CRLF
     * @throws IOException when the connection fails
     */
    public String execute(String command, int... descriptors) throws IOException {
        send(command, descriptors);
        for (String next = nextLine();; next = nextLine()) {
            if (!next.startsWith("{\"event\"")) {
                return next;
            }
        }
    }

    /**
     * Sends bytes with descriptors attached, without waiting for anything.
     *
     * @throws IOException when the connection fails
     */
    public void send(String text, int... descriptors) throws IOException {
        stream.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), descriptors);
    }

    private String nextLine() throws IOException {
        while (lines.isEmpty()) {
            int n = stream.receive(buffer.clear(), Libc::close);
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            for (int i = 0; i < n; i++) {
                byte b = buffer.get(i);
                line.write(b);
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    lines.add(text.endsWith("\r\n") ? text.substring(0, text.length() - 2) : text);
                }
            }
        }
        return lines.poll();
    }

    @Override
    public void close() {
        watchdog.interrupt();
        stream.close();
    }
}
