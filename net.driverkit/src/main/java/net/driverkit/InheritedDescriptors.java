package net.driverkit;

import net.posix.FdChannel;
import net.posix.PosixException;
import net.posix.Libc;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.api.NetException;

/**
 * Descriptors given to a netdev: QEMU's {@code fd=}, {@code fds=}, {@code addr.type=fd}, as QEMU's
 * {@code monitor_fd_param} reads them. A value that starts with a digit is a number a parent
 * process passed to Patchbay; any other value, in a command a QMP client runs, names a descriptor
 * that client passed with {@code getfd} ({@link MonitorDescriptors}), which the netdev takes from
 * the client. Outside a client's command (command line, configuration files) only numbers serve.
 *
 * <p>A netdev takes its descriptor over and closes it when it is deleted, as
 * QEMU does, so a number serves once: once closed, the kernel hands the same number to the next
 * file anyone in the process opens, and taking it over again would seize (and on error close)
 * that file. This class remembers every number taken over and refuses a second time.
 */
public final class InheritedDescriptors {

    /**
     * System property naming the descriptors the process inherited ({@code "0,1,2,7"}), which the
     * launcher sets when it starts, before it opens any: a number outside it (one of Patchbay's
     * own descriptors) is refused as if it were not open. Without it (Patchbay embedded elsewhere,
     * tests) every open number is accepted.
     */
    public static final String INHERITED_PROPERTY = "patchbay.inherited.fds";

    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private InheritedDescriptors() {
    }

    /**
     * Takes the descriptor an option names over: a client's named one, or an inherited number.
     *
     * @param netdev the netdev's id
     * @param text   the option's value
     * @return its channel, non-blocking, owned by the caller
     * @throws NetException QEMU's {@code File descriptor named 'NAME' has not been found} when the
     *                      client has no such name, or the errors of {@link #parse} and {@link #adopt}
     */
    public static FdChannel take(String netdev, String text) throws NetException {
        MonitorDescriptors.Monitor monitor = MonitorDescriptors.running(netdev);
        if (monitor != null && (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '9')) {
            int fd = monitor.take(text);
            if (fd < 0) {
                throw NetException.generic("File descriptor named '%s' has not been found", text);
            }
            try {
                return FdChannel.adopt(fd);
            } catch (PosixException e) {
                Libc.close(fd);
                throw NetException.generic("%s: Can't use file descriptor %d: %s", netdev, fd, e.getMessage());
            }
        }
        return adopt(netdev, parse(text));
    }

    /**
     * @param text the option's value
     * @return the descriptor number
     * @throws NetException {@code Invalid file descriptor number 'TEXT'}, QEMU's words, when it is
     *                      not a number
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
     *                      not open or not inherited, or {@code ...: already taken over} when a
     *                      netdev had it before
     */
    public static FdChannel adopt(String netdev, int fd) throws NetException {
        if (!inherited(fd)) {
            // Patchbay's own (its epoll, say): QEMU's words for a number it does not have.
            throw NetException.generic("%s: Can't use file descriptor %d: %s", netdev, fd, Libc.strerror(Libc.EBADF));
        }
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

    private static boolean inherited(int fd) {
        String list = System.getProperty(INHERITED_PROPERTY);
        if (list == null) {
            return true;
        }
        for (String number : list.split(",")) {
            if (number.equals(Integer.toString(fd))) {
                return true;
            }
        }
        return false;
    }
}
