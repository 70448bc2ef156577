package net.console;

import java.io.InterruptedIOException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import org.jline.terminal.Attributes;
import org.jline.terminal.Terminal;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

/**
 * A watch's screens drawn in place on the console's terminal, through the terminal's own
 * capabilities (terminfo), as {@code top} draws: cleared once, then each screen from the top left
 * corner, every line ended by clearing the rest of it and the screen by clearing what is below,
 * so nothing flickers. Lines are cut to the terminal's width and the screen to its height, or
 * the terminal would scroll and the next screen would not start at the top. The keys typed are
 * read, not echoed: {@code q} ends the watch; Ctrl-C still signals (raw mode keeps ISIG).
 */
final class TerminalDisplay implements Watch.Display {

    private final Terminal terminal;
    private final Attributes saved;
    private boolean closed;

    private TerminalDisplay(Terminal terminal) {
        this.terminal = terminal;
        this.saved = terminal.enterRawMode();
        terminal.puts(Capability.cursor_invisible);
        terminal.puts(Capability.clear_screen);
        terminal.flush();
    }

    /**
     * @param terminal the session's terminal ({@code .terminal})
     * @return a display on it, or null when it is no JLine terminal or cannot move its cursor
     *         (a dumb terminal: JLine's on a pipe)
     */
    static Watch.Display open(Object terminal) {
        if (terminal instanceof Terminal t && t.getStringCapability(Capability.clear_screen) != null
                && t.getStringCapability(Capability.cursor_home) != null
                && t.getStringCapability(Capability.clr_eol) != null && t.getStringCapability(Capability.clr_eos) != null) {
            return new TerminalDisplay(t);
        }
        return null;
    }

    @Override
    public void show(String screen) {
        int width = terminal.getWidth();
        int height = terminal.getHeight();
        PrintWriter out = terminal.writer();
        terminal.puts(Capability.cursor_home);
        int row = 0;
        for (String line : (Iterable<String>) screen.lines()::iterator) {
            if (height > 0 && row == height - 1) {
                break; // the last row stays empty, so that no line feed scrolls the screen
            }
            out.print(width > 1 && line.length() >= width ? line.substring(0, width - 1) : line);
            terminal.puts(Capability.clr_eol);
            out.print('\n');
            row++;
        }
        terminal.puts(Capability.clr_eos);
        terminal.flush();
    }

    @Override
    public boolean pause(Duration interval) throws InterruptedIOException {
        NonBlockingReader keys = terminal.reader();
        long deadline = System.nanoTime() + interval.toNanos();
        try {
            for (long left = interval.toMillis(); left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
                int key = keys.read(left);
                if (key == NonBlockingReader.EOF || key == 'q' || key == 'Q' || key == 3) {
                    return false; // end of input, q, or Ctrl-C read as a key
                }
            }
            return !terminal.writer().checkError();
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            return false; // the terminal is gone
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            terminal.setAttributes(saved);
            terminal.puts(Capability.cursor_normal);
            terminal.flush();
        }
    }
}
