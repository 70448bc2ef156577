package net.qmp.console;

import java.lang.reflect.Method;
import org.osgi.service.component.annotations.Component;

/**
 * Prints log lines above the console's prompt instead of into the line being typed. The console
 * hands over the JLine reader it reads with (the launcher's profile runs {@code __console
 * ${.reader}}); JLine's {@code printAbove} then clears the prompt, prints, and draws it again. The
 * reader is reached reflectively so that this bundle needs no JLine (the QMP server runs without a
 * console). A dumb terminal (input not a terminal) keeps stderr, so that the log stays off stdout.
 */
@Component(service = PromptLines.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=__console"})
public class PromptLines {

    /** A reader and its {@code printAbove}, set together. */
    private record Target(Object reader, Method printAbove) {
    }

    private volatile Target target;

    /**
     * The console's hook (a Gogo command): from now on lines go above its prompt.
     *
     * @param reader the console's {@code org.jline.reader.LineReader}, or null when it has none
     */
    public void __console(Object reader) {
        if (reader == null) {
            return;
        }
        try {
            Object terminal = reader.getClass().getMethod("getTerminal").invoke(reader);
            String type = String.valueOf(terminal.getClass().getMethod("getType").invoke(terminal));
            if (!type.startsWith("dumb")) {
                target = new Target(reader, reader.getClass().getMethod("printAbove", String.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Not JLine's reader: lines stay on stderr.
        }
    }

    /**
     * @param line one line, without its line end
     * @return whether it went above the prompt; if not, the caller prints it itself
     */
    public boolean print(String line) {
        Target t = target;
        if (t == null) {
            return false;
        }
        try {
            t.printAbove().invoke(t.reader(), line);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            target = null; // the console is gone (the framework stops)
            return false;
        }
    }
}
