package net.posix;

import java.io.IOException;

/** A failed system call; the message is the C library's text for {@link #errno()}. */
public final class PosixException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int errno;

    /**
     * @param errno   the error number
     * @param message its text, usually {@link Libc#strerror(int)}
     */
    public PosixException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    /** @return the error number ({@link Libc#EAGAIN}, ...) */
    public int errno() {
        return errno;
    }
}
