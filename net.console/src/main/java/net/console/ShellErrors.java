package net.console;

import java.io.InterruptedIOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Component;

/**
 * What the console prints for a line that fails outside Patchbay's own words: Gogo's shell prints
 * the Java exception of whatever reaches it ({@code java.lang.InterruptedException} after Ctrl-C,
 * {@code IllegalArgumentException: Cannot coerce ...} for a framework command given the wrong
 * arguments). The launcher's profile hands over the shell's line reader ({@code __shell
 * ${.reader}}); from then on every line typed runs inside {@code __line { ... }} ({@link
 * LineGuard}), which prints HMP's kind of line instead. The exception stays in {@code $exception}
 * (the profile's {@code e} prints its stack trace).
 */
@Component(service = ShellErrors.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=__shell",
        "osgi.command.function=__line"})
public class ShellErrors {

    private static final Pattern COERCE = Pattern.compile("Cannot coerce (\\S+)\\(");
    private static final Pattern NOT_FOUND = Pattern.compile("Command not found: (\\S+)");

    /**
     * The console's hook (a Gogo command): from now on the lines it reads run inside {@code __line}.
     *
     * @param reader the shell's {@code org.jline.reader.LineReader}, or null when it has none
     */
    public void __shell(Object reader) {
        try {
            LineGuard.install(reader);
        } catch (LinkageError e) {
            // No JLine or gogo.jline here (a framework without Gogo's shell): lines run as typed.
        }
    }

    /**
     * @param session the console's session
     * @param line    the line typed, as a closure
     * @return what it returned, or the failure in HMP's kind of words
     */
    public Object __line(CommandSession session, Function line) {
        Runnable restore = ctrlC(session);
        try {
            return line.execute(session, List.of());
        } catch (Exception e) {
            session.put("exception", e);
            return words(e);
        } finally {
            restore.run();
        }
    }

    /** Ctrl-C interrupts this line's thread while it runs ({@link LineGuard#interruptOnly}). */
    private static Runnable ctrlC(CommandSession session) {
        try {
            return LineGuard.interruptOnly(session.get(".terminal"), Thread.currentThread());
        } catch (LinkageError e) {
            return () -> { }; // no JLine here: Ctrl-C is the shell's
        }
    }

    /**
     * @param e what a command line threw
     * @return its one line (two with HMP's hint to ask for help), with no Java name in it
     */
    static String words(Exception e) {
        if (e instanceof InterruptedException || e instanceof InterruptedIOException) {
            return "Error: interrupted";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        Matcher coerce = COERCE.matcher(message);
        if (e instanceof IllegalArgumentException && coerce.lookingAt()) {
            String command = coerce.group(1);
            return command + ": invalid arguments\nTry \"help " + command + "\" for more information";
        }
        Matcher notFound = NOT_FOUND.matcher(message);
        if (notFound.lookingAt()) {
            return "unknown command: '" + notFound.group(1) + "'";
        }
        return "Error: " + (message.isBlank() ? "the command failed" : message);
    }
}
