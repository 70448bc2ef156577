package net.chardev;

import java.nio.ByteBuffer;
import org.osgi.annotation.versioning.ProviderType;

/** A front end's attachment to a chardev; use it on the front end's loop only. */
@ProviderType
public interface ChardevPort extends AutoCloseable {

    /** @return the chardev's id */
    String id();

    /** @return whether a connection is up */
    boolean isConnected();

    /**
     * Reads what the connection has, without blocking.
     *
     * @param dst where to
     * @return bytes read; 0 when nothing waits; -1 when not connected (at end of stream the
     *         connection closes and {@link ChardevHandler#closed()} follows)
     */
    int read(ByteBuffer dst);

    /**
     * Writes without blocking. When not all of {@code src} is taken, {@link ChardevHandler#writable()}
     * follows once the connection takes more.
     *
     * @param src what to write, from its position
     * @return bytes taken; -1 when not connected
     */
    int write(ByteBuffer src);

    /** @param on whether {@link ChardevHandler#readable()} is wanted (on after attaching) */
    void readInterest(boolean on);

    /**
     * @return the connected socket's descriptor, for what needs more than bytes (SCM_RIGHTS, as
     *         vhost-user does); -1 when not connected. It stays the chardev's: never close it.
     */
    int descriptor();

    /**
     * Ends the connection, QEMU's {@code qemu_chr_fe_disconnect}: {@link ChardevHandler#closed()}
     * follows, a server takes its next client, a client with {@code reconnect} connects again. For
     * a front end that reads the {@linkplain #descriptor() descriptor} itself and met its end.
     */
    void disconnect();

    /** Detaches the front end; the chardev and its connection stay. */
    @Override
    void close();
}
