package net.console;

import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Process;

/**
 * Draws a screen again and again until Ctrl-C: on a terminal in place ({@link TerminalDisplay}),
 * elsewhere (a pipe, a redirection, a dumb terminal) one screen after another, separated by a
 * blank line, with no control characters.
 *
 * <p>Ctrl-C reaches a Gogo command in one of two ways, and both end the watch quietly, the
 * terminal as it was: Gogo's shell interrupts the foreground job, which interrupts the command's
 * thread; Patchbay's console ({@link ShellErrors#__line}) interrupts the line's thread instead,
 * which the command, running in a job of its own, would never see. So while it watches, Ctrl-C
 * (JLine's {@code INT}) interrupts the watching thread itself, and the previous handler is put
 * back when it ends. Closing the session interrupts its commands' threads too.
 */
final class Watch {

    /** Where the screens go. */
    interface Display extends AutoCloseable {

        /** @param screen the screen, every line ending with a newline */
        void show(String screen);

        /**
         * @param interval how long to wait
         * @return false when the watch should end now (the output is gone, {@code q} typed)
         * @throws InterruptedException   on Ctrl-C
         * @throws InterruptedIOException on Ctrl-C while reading keys
         */
        boolean pause(Duration interval) throws InterruptedException, InterruptedIOException;

        /** Puts the terminal back as it was; idempotent. */
        @Override
        void close();
    }

    private Watch() {
    }

    /**
     * @param session  the console session, for its terminal; null outside Gogo
     * @param interval how often to draw
     * @param inPlace  whether to draw in place when the output is a terminal; else one screen after another
     * @param screen   draws one screen, given what to say at the end of its first line about stopping
     * @throws Exception when drawing a screen fails
     */
    static void run(CommandSession session, Duration interval, boolean inPlace, ScreenSource screen) throws Exception {
        Object terminal = session == null ? null : session.get(".terminal");
        Runnable restoreCtrlC = ctrlC(terminal);
        try (Display display = display(inPlace ? terminal : null)) {
            String stops = display instanceof Plain ? "" : "; q or Ctrl-C stops";
            do {
                String text = screen.draw(stops);
                if (text == null || Thread.currentThread().isInterrupted()) {
                    break; // nothing more to show, or Ctrl-C while drawing (what was drawn may be cut short)
                }
                display.show(text);
            } while (display.pause(interval));
        } catch (InterruptedException | InterruptedIOException e) {
            // Ctrl-C or the session closing: the end the watch waits for
        } finally {
            restoreCtrlC.run();
            Thread.interrupted(); // the interrupt asked this watch to end; it has
        }
    }

    /** The screens. */
    @FunctionalInterface
    interface ScreenSource {
        /**
         * @param stops how to stop the watch, for the end of the first line: {@code "; q or Ctrl-C
         *              stops"} on a terminal, else empty
         * @return the screen, or null to end the watch
         */
        String draw(String stops) throws Exception;
    }

    private static Runnable ctrlC(Object terminal) {
        try {
            return LineGuard.interruptOnly(terminal, Thread.currentThread());
        } catch (LinkageError e) {
            return () -> { }; // no JLine here: Ctrl-C is the shell's, which interrupts the job
        }
    }

    /** In place on a terminal that can move its cursor, if this command's output is that terminal. */
    private static Display display(Object terminal) {
        Process process = Process.Utils.current();
        PrintStream out = process == null ? System.out : process.out();
        if (terminal != null && process != null && process.isTty(1)) {
            try {
                Display inPlace = TerminalDisplay.open(terminal);
                if (inPlace != null) {
                    return inPlace;
                }
            } catch (LinkageError e) {
                // no JLine here
            }
        }
        return new Plain(out);
    }

    /** One screen after another. */
    private record Plain(PrintStream out) implements Display {

        @Override
        public void show(String screen) {
            out.print(screen);
            out.println();
            out.flush();
        }

        @Override
        public boolean pause(Duration interval) throws InterruptedException {
            if (out.checkError()) {
                return false; // nobody reads any more
            }
            Thread.sleep(interval);
            return true;
        }

        @Override
        public void close() {
        }
    }
}
