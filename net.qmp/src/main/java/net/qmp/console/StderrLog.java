package net.qmp.console;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerContext;

/**
 * Writes log records to stderr as one line each ({@code 2026-11-27 06:29:34.123 WARN  net.hub:
 * message}) when the framework property {@value #ENABLE} is {@code true}; the launcher sets it.
 * The threshold is the framework's default log level ({@value LoggerContext#LOGGER_CONTEXT_DEFAULT_LOGLEVEL},
 * INFO when unset). Below DEBUG, the framework's infrastructure (Felix bundles, and the log
 * service's records of bundle and service events) is shown only from WARN up: it is noise to
 * people running a network; so are the INFO records of start-up, logged before this component
 * started (the launcher's banner sums them up). FileInstall's warning about a deployed jar that
 * does not resolve is left to {@link DeployProblems}, which says what is missing in one line.
 * While the console reads a line, the lines go above its prompt ({@link PromptLines}).
 */
@Component(service = {}, immediate = true)
public class StderrLog implements LogListener {

    /** Framework property that turns this on. */
    public static final String ENABLE = "patchbay.log.stderr";

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final LogReaderService reader;
    private final LogLevel threshold;
    private final boolean enabled;
    private final PrintStream err = System.err;

    /** Optional and dynamic: while the console reads a line, log lines go above its prompt. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile PromptLines prompt;

    /**
     * @param context this bundle's context, for the framework properties
     * @param reader  the log service's reader
     */
    @Activate
    public StderrLog(BundleContext context, @Reference LogReaderService reader) {
        this.reader = reader;
        this.enabled = Boolean.parseBoolean(context.getProperty(ENABLE));
        this.threshold = level(context.getProperty(LoggerContext.LOGGER_CONTEXT_DEFAULT_LOGLEVEL));
        if (enabled) {
            // Records logged before this component started are printed first, oldest first: the
            // warnings and errors of start-up (its news, drivers arriving, the banner sums up).
            List<LogEntry> backlog = new ArrayList<>();
            for (Enumeration<LogEntry> e = reader.getLog(); e.hasMoreElements();) {
                backlog.add(e.nextElement());
            }
            Collections.reverse(backlog);
            backlog.stream().filter(e -> threshold.implies(LogLevel.DEBUG) || LogLevel.WARN.implies(e.getLogLevel()))
                    .forEach(this::logged);
            reader.addLogListener(this);
        }
    }

    private static LogLevel level(String name) {
        for (LogLevel level : LogLevel.values()) {
            if (level.name().equalsIgnoreCase(name)) {
                return level;
            }
        }
        return LogLevel.INFO;
    }

    @Deactivate
    void deactivate() {
        if (enabled) {
            reader.removeLogListener(this);
        }
    }

    @Override
    public void logged(LogEntry entry) {
        if (!threshold.implies(entry.getLogLevel())) {
            return;
        }
        if (!LogLevel.WARN.implies(entry.getLogLevel()) && !threshold.implies(LogLevel.DEBUG)
                && isInfrastructure(entry)) {
            return;
        }
        if (!threshold.implies(LogLevel.DEBUG) && DeployProblems.isResolveFailure(entry)) {
            return; // DeployProblems names what is missing in one line
        }
        String line = format(entry);
        PromptLines above = prompt;
        if (above == null || !above.print(line)) {
            err.println(line);
        }
    }

    private static boolean isInfrastructure(LogEntry entry) {
        String logger = entry.getLoggerName();
        Bundle bundle = entry.getBundle();
        return logger != null && logger.startsWith("Events.")
                || bundle == null
                || bundle.getBundleId() == 0
                || bundle.getSymbolicName() != null && bundle.getSymbolicName().startsWith("org.apache.felix.");
    }

    /**
     * @param entry a log record
     * @return its one-line form
     */
    static String format(LogEntry entry) {
        StringBuilder line = new StringBuilder();
        line.append(TIME.format(Instant.ofEpochMilli(entry.getTime()))).append(' ');
        line.append(String.format("%-5s", entry.getLogLevel())).append(' ');
        Bundle bundle = entry.getBundle();
        line.append(bundle == null ? entry.getLoggerName() : bundle.getSymbolicName()).append(": ");
        line.append(oneLine(entry.getMessage()));
        Throwable t = entry.getException();
        if (t != null) {
            line.append(" (").append(oneLine(t.toString())).append(')');
        }
        return line.toString();
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ");
    }
}
