package net.backend.socket;

import java.io.IOException;
import net.api.NetClientContext;
import net.api.NetException;
import net.posix.FdChannel;
import net.driverkit.InheritedDescriptors;
import net.posix.Libc;

/**
 * {@code fd=}, {@code addr.type=fd} and {@code local.type=fd}: a socket this process inherited
 * (a parent opened it and started Patchbay with it open) or that a QMP client passed and named
 * with {@code getfd}, taken over through {@link InheritedDescriptors}: once, and closed when the
 * netdev is deleted, as QEMU does.
 */
final class InheritedFd {

    private InheritedFd() {
    }

    /**
     * @param context the netdev
     * @param text    the option's value
     * @return the descriptor, taken over
     * @throws NetException with QEMU's words for a bad number, an unknown name or a descriptor
     *                      that is not open
     */
    static FdChannel take(NetClientContext context, String text) throws NetException {
        return InheritedDescriptors.take(context.id(), text);
    }

    /**
     * @param channel a descriptor taken over
     * @return its socket type ({@link Libc#SOCK_STREAM}, {@link Libc#SOCK_DGRAM}, ...)
     * @throws NetException QEMU's {@code can't get socket option SO_TYPE} when it is no socket
     *                      (the descriptor is closed then)
     */
    static int type(FdChannel channel) throws NetException {
        try {
            return channel.intOption(Libc.SOL_SOCKET, Libc.SO_TYPE);
        } catch (IOException e) {
            channel.close();
            throw NetException.generic("can't get socket option SO_TYPE");
        }
    }

    /**
     * @param channel a descriptor taken over
     * @return {@code inet} or {@code unix}, QEMU's name of the socket's address family, or null
     */
    static String family(FdChannel channel) {
        try {
            int domain = channel.intOption(Libc.SOL_SOCKET, Libc.SO_DOMAIN);
            return domain == Libc.AF_UNIX ? "unix" : domain == Libc.AF_INET || domain == Libc.AF_INET6 ? "inet" : null;
        } catch (IOException e) {
            return null;
        }
    }
}
