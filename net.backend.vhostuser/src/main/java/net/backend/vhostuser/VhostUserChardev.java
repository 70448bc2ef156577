package net.backend.vhostuser;

import net.api.ErrorClass;
import net.api.NetEventLoop;
import net.api.NetException;
import net.chardev.ChardevHandler;
import net.chardev.ChardevPort;
import net.chardev.Chardevs;
import net.posix.Libc;
import net.posix.PosixException;

/**
 * How a vhost-user netdev, in either role, takes its socket chardev: QEMU 7.2's checks in its
 * order (the chardev exists, is free and passes descriptors; then the number of queue pairs) and
 * in its words.
 */
final class VhostUserChardev {

    /** QEMU's bound on queue pairs ({@code MAX_QUEUE_NUM}). */
    static final int MAX_QUEUES = 1024;

    private VhostUserChardev() {
    }

    /**
     * Attaches {@code handler} to the chardev, or leaves it as it was.
     *
     * @param type   the netdev type, the first word of the queue range error
     * @param queues the queue pairs asked for
     * @return the attachment
     * @throws NetException {@code chardev "ID" not found}, {@code Device 'ID' is in use},
     *                      {@code chardev "ID" does not support FD passing} (a connected TCP
     *                      chardev; one that connects later is found out then), or
     *                      {@code TYPE number of queues must be in range [1, 1024]}
     */
    static ChardevPort claim(Chardevs chardevs, String id, NetEventLoop loop, ChardevHandler handler, String type,
            long queues) throws NetException {
        ChardevPort port;
        try {
            port = chardevs.attach(id, loop, handler);
        } catch (NetException e) {
            throw e.errorClass() == ErrorClass.DeviceNotFound ? NetException.generic("chardev \"%s\" not found", id) : e;
        }
        if (port.isConnected() && !passesDescriptors(port)) {
            port.close();
            throw NetException.generic("chardev \"%s\" does not support FD passing", id);
        }
        if (queues < 1 || queues > MAX_QUEUES) {
            port.close();
            throw NetException.generic("%s number of queues must be in range [1, %d]", type, MAX_QUEUES);
        }
        return port;
    }

    /** @return whether the chardev's connection is a unix socket, the only kind that passes descriptors */
    static boolean passesDescriptors(ChardevPort port) {
        try {
            return Libc.getIntOption(port.descriptor(), Libc.SOL_SOCKET, Libc.SO_DOMAIN) == Libc.AF_UNIX;
        } catch (PosixException e) {
            return false;
        }
    }
}
