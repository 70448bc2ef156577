package net.itest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Records every exception the framework reports while it is open: ERROR log entries that carry an
 * exception (through every {@link LogReaderService} there is: Equinox has its own beside Felix Log,
 * and a bundle may log to either) and framework ERROR events. It also keeps every log
 * message, so a test can prove the listener was really hearing the log, and prints warnings and
 * errors to standard output, which Surefire keeps in the test's report for diagnosis.
 */
final class ErrorRecorder implements LogListener, FrameworkListener, AutoCloseable {

    private final BundleContext context;
    private final List<LogReaderService> logReaders = new ArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> messages = new CopyOnWriteArrayList<>();

    ErrorRecorder(BundleContext context) throws InvalidSyntaxException {
        this.context = context;
        for (ServiceReference<LogReaderService> reference : context.getServiceReferences(LogReaderService.class, null)) {
            LogReaderService logReader = context.getService(reference);
            logReader.addLogListener(this);
            logReaders.add(logReader);
        }
        context.addFrameworkListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        messages.add(entry.getBundle().getSymbolicName() + ": " + entry.getMessage());
        if (LogLevel.WARN.implies(entry.getLogLevel())) {
            System.out.println("[framework log] " + entry.getLogLevel() + " " + entry.getBundle().getSymbolicName()
                    + ": " + entry.getMessage() + (entry.getException() == null ? "" : ": " + entry.getException()));
        }
        if (entry.getLogLevel() == LogLevel.ERROR && entry.getException() != null) {
            errors.add("log: " + entry.getBundle().getSymbolicName() + ": " + entry.getMessage() + ": "
                    + entry.getException());
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.ERROR) {
            errors.add("framework event from " + event.getBundle().getSymbolicName() + ": " + event.getThrowable());
        }
    }

    /** @return what was recorded, one line each */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /**
     * @param bundle  a bundle's symbolic name
     * @param message a log message, e.g. Felix Log's {@code BundleEvent UNINSTALLED}
     * @return whether that bundle logged that message while recording
     */
    boolean logged(String bundle, String message) {
        return messages.contains(bundle + ": " + message);
    }

    @Override
    public void close() {
        logReaders.forEach(logReader -> logReader.removeLogListener(this));
        context.removeFrameworkListener(this);
    }
}
