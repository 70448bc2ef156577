package net.backend.l2tpv3;

import java.io.IOException;
import net.posix.Libc;
import net.posix.PosixException;

/** The errno behind a failed socket call, which QEMU prints as a number. */
final class Errno {

    /** Above the largest Linux errno. */
    private static final int LAST = 134;

    private Errno() {
    }

    /**
     * @param e a failure of an FFM call (which carries its errno) or of a JDK channel (whose message
     *          is the C library's text for it)
     * @return the errno, or 0 when it cannot be told
     */
    static int of(IOException e) {
        if (e instanceof PosixException p) {
            return p.errno();
        }
        String message = e.getMessage();
        for (int errno = 1; message != null && errno < LAST; errno++) {
            if (message.equals(Libc.strerror(errno))) {
                return errno;
            }
        }
        return 0;
    }
}
