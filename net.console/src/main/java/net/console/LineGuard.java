package net.console;

import java.util.List;
import org.apache.felix.gogo.jline.ParsedLineImpl;
import org.apache.felix.gogo.runtime.Parser.Program;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.SyntaxError;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;

/**
 * The shell's parser, with one change: a line accepted to run becomes {@code patchbay:__line {
 * LINE }} ({@link ShellErrors#__line}), so that its failure is printed in HMP's words rather than
 * by Gogo's shell, which prints the Java exception. What is shown, kept in the history and
 * completed is the line as typed; only the program the shell runs is wrapped. Variables the line
 * sets are the session's, as when typed bare.
 */
final class LineGuard implements Parser {

    private final Parser shell;

    private LineGuard(Parser shell) {
        this.shell = shell;
    }

    /** @param reader the shell's line reader; anything else is left alone */
    static void install(Object reader) {
        if (reader instanceof LineReaderImpl r && !(r.getParser() instanceof LineGuard)) {
            r.setParser(new LineGuard(r.getParser()));
        }
    }

    /**
     * While a line runs, Ctrl-C interrupts the line's own thread instead of the shell's job: the
     * job's interruption fails the shell's wait with an {@code InterruptedException} that the shell
     * prints, while the line's thread makes {@link ShellErrors#__line} return its one line. The
     * command the line started is not stopped by it; Patchbay's commands end within their own
     * bounds, and a watch ({@link Watch}) takes Ctrl-C itself while it runs.
     *
     * @param terminal the shell's terminal, or anything else (then Ctrl-C is left to the shell)
     * @param line     the thread running the line
     * @return what puts the shell's own handling back
     */
    static Runnable interruptOnly(Object terminal, Thread line) {
        if (!(terminal instanceof Terminal t)) {
            return () -> { };
        }
        Terminal.SignalHandler shell = t.handle(Terminal.Signal.INT, signal -> line.interrupt());
        return () -> t.handle(Terminal.Signal.INT, shell);
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) throws SyntaxError {
        ParsedLine parsed = shell.parse(line, cursor, context);
        if (context != ParseContext.ACCEPT_LINE || line.isBlank() || !(parsed instanceof ParsedLineImpl)) {
            return parsed;
        }
        // On lines of their own, so that a comment at the end of the line cannot swallow the brace.
        Program program = new org.apache.felix.gogo.runtime.Parser("patchbay:__line {\n" + line + "\n}").program();
        return new ParsedLineImpl(program, program, 0, List.of());
    }
}
