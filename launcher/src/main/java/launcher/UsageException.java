package launcher;

/** A command line that cannot be run; the message is the line after {@code patchbay: }. */
final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
