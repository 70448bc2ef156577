package net.backend.vhostuser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on 127.0.0.1 that answers one GET with {@code size} known bytes and then waits for
 * the client to close: a guest's iPXE, told by slirp's DHCP to boot from
 * {@code http://10.0.2.2:PORT/blob}, downloads them through whatever netdevs are between it and
 * slirp. The client closes only once it has taken every byte of the announced length, so an orderly
 * close (end of stream, no reset) after the last write is a complete download, and the time from the
 * request to that close is the transfer's.
 */
final class BlobServer implements AutoCloseable {

    private static final int CHUNK = 64 * 1024;

    private final ServerSocket listener;
    private final int size;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile long requested;
    private volatile long closed;
    private volatile long sent;
    private volatile boolean orderly;
    private volatile String failure;
    private volatile Socket client;

    BlobServer(int size) throws IOException {
        this.size = size;
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        thread = Thread.ofPlatform().name("blob-server").daemon().start(this::serve);
    }

    int port() {
        return listener.getLocalPort();
    }

    /** @return the URL the guest reaches through slirp's host address */
    String url() {
        return "http://10.0.2.2:" + port() + "/blob";
    }

    /** @return whether the download ended (completed or not) within the limit */
    boolean await(long seconds) throws InterruptedException {
        return done.await(seconds, TimeUnit.SECONDS);
    }

    boolean requested() {
        return requested != 0;
    }

    /** @return every byte written and the client's orderly close after them */
    boolean complete() {
        return done.getCount() == 0 && orderly && sent == size;
    }

    long sent() {
        return sent;
    }

    /** @return from the end of the request to the client's close, in nanoseconds */
    long transferNanos() {
        return closed - requested;
    }

    /** @return megabits per second of the body, over {@link #transferNanos()} */
    double mbits() {
        return size * 8e3 / transferNanos();
    }

    String describe() {
        return "requested " + requested() + ", sent " + sent + " of " + size + ", orderly close " + orderly
                + (failure == null ? "" : ", " + failure);
    }

    /** The byte at {@code offset} of the blob: a pattern no run of zeros or repeats hides. */
    static byte at(long offset) {
        return (byte) (offset * 131 + (offset >>> 8) * 7);
    }

    private void serve() {
        try (Socket s = listener.accept()) {
            client = s;
            readRequest(s.getInputStream());
            requested = System.nanoTime();
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[CHUNK];
            for (long at = 0; at < size; ) {
                int n = (int) Math.min(CHUNK, size - at);
                for (int i = 0; i < n; i++) {
                    chunk[i] = at(at + i);
                }
                out.write(chunk, 0, n);
                at += n;
                sent = at;
            }
            out.flush();
            InputStream in = s.getInputStream();
            while (in.read(chunk) >= 0) {
                // anything after the request is ignored; the end of the stream is the client's close
            }
            closed = System.nanoTime();
            orderly = true;
        } catch (IOException e) {
            closed = System.nanoTime();
            failure = e.toString();
        } finally {
            done.countDown();
        }
    }

    /** Reads up to the blank line that ends the request's headers. */
    private static void readRequest(InputStream in) throws IOException {
        int state = 0; // how much of CR LF CR LF has been seen
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before its request ended");
            }
            state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        Socket s = client;
        if (s != null) {
            s.close();
        }
    }
}
