package net.backend.socket;

import java.io.IOException;
import java.nio.channels.Channel;

/** Small helpers every backend of this bundle uses for its channels. */
final class Sockets {

    private Sockets() {
    }

    /** @param channel a channel to close, or null; a failure to close has nothing left to report */
    static void closeQuietly(Channel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // The socket is gone either way; nothing waits on what it might have flushed.
        }
    }

    /**
     * @param e an I/O failure
     * @return its text as QEMU would print {@code strerror}, never null
     */
    static String reason(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
