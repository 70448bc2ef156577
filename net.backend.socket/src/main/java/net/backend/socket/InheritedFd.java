package net.backend.socket;

import net.api.NetClientContext;
import net.api.NetException;
import net.api.posix.FdChannel;
import net.api.posix.Libc;
import net.api.posix.PosixException;

/**
 * {@code fd=N}, {@code addr.type=fd} and {@code local.type=fd}: a socket this process inherited
 * (a parent opened it and started Patchbay with it open). The netdev owns it from then on and
 * closes it when deleted, as QEMU does, so it can be used once: a netdev reopened after its driver
 * returned finds it closed and says so. QEMU's monitor-named descriptors ({@code getfd}) have no
 * counterpart here: only numbers are accepted.
 */
final class InheritedFd {

    private InheritedFd() {
    }

    /**
     * @param text the option's value
     * @return the descriptor number
     * @throws NetException with QEMU's words when it is not a number
     */
    static int parse(String text) throws NetException {
        if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                // more digits than an int holds: fall through to QEMU's message
            }
        }
        throw NetException.generic("Invalid file descriptor number '%s'", text);
    }

    /**
     * Takes the descriptor over (non-blocking from now on).
     *
     * @param context the netdev, whose id QEMU names in the error
     * @param fd      the number
     * @return its channel
     * @throws NetException {@code ID: Can't use file descriptor N: Bad file descriptor}
     */
    static FdChannel adopt(NetClientContext context, int fd) throws NetException {
        try {
            return FdChannel.adopt(fd);
        } catch (PosixException e) {
            throw NetException.generic("%s: Can't use file descriptor %d: %s", context.id(), fd, e.getMessage());
        }
    }

    /**
     * @param channel an adopted descriptor
     * @return {@code inet} or {@code unix}, QEMU's name of the socket's address family, or null
     */
    static String family(FdChannel channel) {
        try {
            int domain = channel.intOption(Libc.SOL_SOCKET, Libc.SO_DOMAIN);
            return domain == Libc.AF_UNIX ? "unix" : domain == Libc.AF_INET || domain == Libc.AF_INET6 ? "inet" : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
