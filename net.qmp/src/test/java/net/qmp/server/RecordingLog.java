package net.qmp.server;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/** A logger that keeps what it is told at WARNING and above, and passes everything on. */
final class RecordingLog implements System.Logger {

    private final System.Logger inner;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    RecordingLog(String name) {
        inner = System.getLogger(name);
    }

    /** @return the WARNING and ERROR lines so far, each as {@code LEVEL text} */
    List<String> lines() {
        return List.copyOf(lines);
    }

    /** @return how many of the lines so far contain the text */
    long count(String text) {
        return lines.stream().filter(l -> l.contains(text)).count();
    }

    @Override
    public String getName() {
        return inner.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        record(level, msg);
        inner.log(level, bundle, msg, thrown);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        record(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params));
        inner.log(level, bundle, format, params);
    }

    private void record(Level level, String msg) {
        if (level.getSeverity() >= Level.WARNING.getSeverity()) {
            lines.add(level + " " + msg);
        }
    }
}
