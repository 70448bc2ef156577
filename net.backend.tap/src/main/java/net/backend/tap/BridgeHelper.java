package net.backend.tap;

import java.time.Duration;
import java.util.List;
import net.api.NetException;
import net.posix.Libc;
import net.posix.PosixException;
import net.posix.UnixStream;

/**
 * QEMU's bridge helper protocol: the helper (setuid root or with CAP_NET_ADMIN) checks its ACL,
 * creates a tap, enslaves it to the bridge, and sends the tap's descriptor back over a unix stream
 * socket it inherits as {@code --fd=N}: one data byte carrying one SCM_RIGHTS descriptor. The
 * socket cannot be the child's stdin or stdout (the JDK would make those pipes, and the helper
 * calls sendmsg on it), so the child is spawned with {@link ChildProcess}.
 */
final class BridgeHelper {

    /** Where Debian installs QEMU's helper ({@code $libexecdir/qemu-bridge-helper}). */
    static final String DEFAULT_HELPER = "/usr/lib/qemu/qemu-bridge-helper";
    static final String DEFAULT_BRIDGE = "br0";
    /**
     * The helper checks a file and makes one interface; bounded because {@code open} waits for it on
     * the event loop (its failure fails the netdev, as in QEMU), like the up-script.
     */
    static final Duration LIMIT = Duration.ofSeconds(5);

    private BridgeHelper() {
    }

    /**
     * The helper's command line as QEMU builds it: a helper string with blanks is a shell command
     * that gets {@code --br=} only when it has none of its own.
     */
    static List<String> command(String helper, String bridge) {
        String fd = "--fd=" + ChildProcess.INHERITED_FD;
        if (helper.indexOf(' ') >= 0 || helper.indexOf('\t') >= 0) {
            String br = helper.contains("--br=") ? "" : "--br=" + bridge;
            return List.of("/bin/sh", "-c", helper + " --use-vnet " + fd + " " + br);
        }
        return List.of(helper, "--use-vnet", fd, "--br=" + bridge);
    }

    /**
     * Runs the helper and takes the tap descriptor it sends.
     *
     * @return the descriptor, close-on-exec, still blocking
     * @throws NetException QEMU's {@code bridge helper failed} when it exits non-zero (an ACL
     *                      refusal, no such bridge), {@code failed to recv file descriptor} when it
     *                      succeeds without sending one
     */
    static int open(String helper, String bridge) throws NetException {
        int[] pair;
        try {
            pair = Libc.socketPair(Libc.AF_UNIX, Libc.SOCK_STREAM);
        } catch (PosixException e) {
            throw NetException.generic("socketpair() failed");
        }
        try {
            int status;
            try {
                ChildProcess child = ChildProcess.spawn(command(helper, bridge), pair[1]);
                Libc.close(pair[1]);
                pair[1] = -1;
                status = child.await(LIMIT);
            } catch (PosixException e) {
                status = 1 << 8; // QEMU's child exits 1 when execv fails
            }
            // The helper sent before exiting: a descriptor in flight outlives its sender.
            int fd = receiveFd(pair[0]);
            if (status != 0) {
                if (fd >= 0) {
                    Libc.close(fd);
                }
                throw NetException.generic("bridge helper failed");
            }
            if (fd < 0) {
                throw NetException.generic("failed to recv file descriptor");
            }
            return fd;
        } finally {
            Libc.close(pair[0]);
            if (pair[1] >= 0) {
                Libc.close(pair[1]);
            }
        }
    }

    /** @return the descriptor in the message waiting on {@code socket}, or -1; any more are closed */
    private static int receiveFd(int socket) {
        int[] fd = {-1};
        try {
            UnixStream.receiveWaiting(socket, received -> {
                if (fd[0] < 0) {
                    fd[0] = received;
                } else {
                    Libc.close(received);
                }
            });
        } catch (PosixException e) {
            return -1; // as none sent: QEMU's "failed to recv file descriptor"
        }
        return fd[0];
    }
}
