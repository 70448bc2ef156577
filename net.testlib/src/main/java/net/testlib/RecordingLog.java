package net.testlib;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link System.Logger} for a test to hand to the code under test: it keeps every line it is
 * told, and passes each on to the JDK's logger of the same name so the test's output still shows
 * it. Where {@link Warnings} listens to a logger the code finds by name, this one is given.
 */
public final class RecordingLog implements System.Logger {

    private record Line(Level level, String text, Throwable thrown) {
        @Override
        public String toString() {
            return level + " " + text + (thrown == null ? "" : " " + thrown);
        }
    }

    private final System.Logger inner;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    /** @param name its name, and the JDK logger's it passes lines on to */
    public RecordingLog(String name) {
        inner = System.getLogger(name);
    }

    /** @return every line so far, oldest first, as {@code LEVEL text}, a thrown's text after it */
    public List<String> lines() {
        return lines.stream().map(Line::toString).toList();
    }

    /** @return the texts (without what was thrown) of the lines at exactly this level, oldest first */
    public List<String> messages(Level level) {
        return lines.stream().filter(l -> l.level() == level).map(Line::text).toList();
    }

    /** @return how many lines at WARNING or above contain the text */
    public long count(String text) {
        return lines.stream()
                .filter(l -> l.level().getSeverity() >= Level.WARNING.getSeverity() && l.text().contains(text))
                .count();
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
        lines.add(new Line(level, msg, thrown));
        inner.log(level, bundle, msg, thrown);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        lines.add(new Line(level, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                null));
        inner.log(level, bundle, format, params);
    }
}
