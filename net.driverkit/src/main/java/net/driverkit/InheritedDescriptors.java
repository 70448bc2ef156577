package net.driverkit;

import net.posix.FdChannel;
import net.posix.PosixException;
import net.posix.Libc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.api.NetException;

/**
 * Descriptors a parent process passed to Patchbay by number: QEMU's {@code fd=N}, {@code fds=},
 * {@code addr.type=fd}. A netdev takes its descriptor over and closes it when it is deleted, as
 * QEMU does, so a number serves once: once closed, the kernel hands the same number to the next
 * file anyone in the process opens, and taking it over again would seize (and on error close)
 * that file. This class remembers every number taken over and refuses a second time.
 */
public final class InheritedDescriptors {

    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private InheritedDescriptors() {
    }

    /**
     * @param text the option's value
     * @return the descriptor number
     * @throws NetException {@code Invalid file descriptor number 'TEXT'}, QEMU's words, when it is
     *                      not a number (QEMU's monitor-named descriptors have no counterpart here)
     */
    public static int parse(String text) throws NetException {
        try {
            int fd = Integer.parseInt(text);
            if (fd >= 0) {
                return fd;
            }
        } catch (NumberFormatException e) {
            // falls through to QEMU's message
        }
        throw NetException.generic("Invalid file descriptor number '%s'", text);
    }

    /**
     * Takes a descriptor over, non-blocking from now on, once per process.
     *
     * @param netdev the netdev's id, which QEMU names in the error
     * @param fd     the number
     * @return its channel, owned by the caller
     * @throws NetException {@code ID: Can't use file descriptor N: Bad file descriptor} when it is
     *                      not open, or {@code ...: already taken over} when a netdev had it before
     */
    public static FdChannel adopt(String netdev, int fd) throws NetException {
        if (!TAKEN.add(fd)) {
            throw NetException.generic("%s: Can't use file descriptor %d: already taken over (an inherited descriptor serves"
                    + " one netdev, once)", netdev, fd);
        }
        try {
            return FdChannel.adopt(fd);
        } catch (PosixException e) {
            TAKEN.remove(fd); // it was not open: nothing was taken
            throw NetException.generic("%s: Can't use file descriptor %d: %s", netdev, fd, e.getMessage());
        }
    }
}
