package net.api;

import java.util.Objects;

/**
 * An error in QEMU's terms: a QMP error class and QEMU's message text. Front ends print
 * {@link #getMessage()} as is (the QMP {@code desc}, a CLI error line, a console message).
 */
public class NetException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    /**
     * @param errorClass the QMP error class
     * @param message    the message, worded as QEMU words it
     */
    public NetException(ErrorClass errorClass, String message) {
        super(message);
        this.errorClass = Objects.requireNonNull(errorClass);
    }

    /**
     * @param errorClass the QMP error class
     * @param message    the message, worded as QEMU words it
     * @param cause      the underlying failure
     */
    public NetException(ErrorClass errorClass, String message, Throwable cause) {
        super(message, cause);
        this.errorClass = Objects.requireNonNull(errorClass);
    }

    /**
     * A {@link ErrorClass#GenericError}.
     *
     * @param format a {@link String#format} pattern
     * @param args   its arguments
     * @return the exception
     */
    public static NetException generic(String format, Object... args) {
        return new NetException(ErrorClass.GenericError, String.format(format, args));
    }

    /** @return the QMP error class */
    public ErrorClass errorClass() {
        return errorClass;
    }
}
