package net.qmp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.function.IntConsumer;
import net.posix.UnixStream;

/**
 * The byte stream under a QMP session: a JDK channel (TCP), or a unix socket through
 * {@link UnixStream} watched by its endpoint's poller, which also carries the descriptors a client
 * passes (SCM_RIGHTS). Blocking, without holding a carrier thread either way: the session reads
 * from one virtual thread and writes from another, and {@link #close()} from any thread wakes both.
 */
interface QmpConnection {

    /**
     * @param into        where the bytes go
     * @param descriptors told each descriptor that came with them (it owns it from then on)
     * @return bytes read, or -1 at end of stream
     * @throws IOException when the connection fails or was closed
     */
    int read(ByteBuffer into, IntConsumer descriptors) throws IOException;

    /** @return the stream the session's writer writes to */
    OutputStream output();

    /** Disconnects; idempotent. */
    void close();

    /** A TCP connection: no descriptors. */
    static QmpConnection of(SocketChannel channel) {
        return new QmpConnection() {
            @Override
            public int read(ByteBuffer into, IntConsumer descriptors) throws IOException {
                return channel.read(into);
            }

            @Override
            public OutputStream output() {
                return Channels.newOutputStream(channel);
            }

            @Override
            public void close() {
                try {
                    channel.close();
                } catch (IOException e) {
                    // nothing more can be done with a socket that fails to close
                }
            }

        };
    }

    /** A unix connection, {@linkplain UnixStream#pollWith polled}: descriptors too. */
    static QmpConnection of(UnixStream stream) {
        return new QmpConnection() {
            @Override
            public int read(ByteBuffer into, IntConsumer descriptors) throws IOException {
                return stream.receive(into, descriptors);
            }

            @Override
            public OutputStream output() {
                return new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        stream.write(ByteBuffer.wrap(b, off, len));
                    }
                };
            }

            @Override
            public void close() {
                stream.close();
            }

        };
    }
}
