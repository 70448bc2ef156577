package net.log;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/** A {@link System.Logger} that writes to an OSGi {@link Logger}. */
public final class OsgiSystemLogger implements System.Logger {

    private static final Object[] NO_ARGUMENTS = new Object[0];

    private final Logger logger;
    private final String prefix;

    /** @param logger the OSGi logger to write to */
    public OsgiSystemLogger(Logger logger) {
        this(logger, "");
    }

    /**
     * @param logger the OSGi logger to write to
     * @param prefix put before every message, e.g. {@code "netdev s0: "}, so one bundle's records
     *               say which of its objects wrote them
     */
    public OsgiSystemLogger(Logger logger, String prefix) {
        this.logger = logger;
        this.prefix = prefix;
    }

    @Override
    public String getName() {
        return logger.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return switch (level) {
            case ALL, TRACE -> logger.isTraceEnabled();
            case DEBUG -> logger.isDebugEnabled();
            case INFO -> logger.isInfoEnabled();
            case WARNING -> logger.isWarnEnabled();
            case ERROR -> logger.isErrorEnabled();
            case OFF -> false;
        };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        // OSGi loggers read their message as a format ("{}" placeholders, "\\{}" a literal) and take
        // a trailing Throwable argument as the record's exception.
        String format = (prefix + message).replace("{}", "\\{}");
        Object[] args = thrown == null ? NO_ARGUMENTS : new Object[] {thrown};
        switch (level) {
            case ALL, TRACE -> logger.trace(format, args);
            case DEBUG -> logger.debug(format, args);
            case INFO -> logger.info(format, args);
            case WARNING -> logger.warn(format, args);
            case ERROR -> logger.error(format, args);
            case OFF -> {
                // nothing is logged at OFF
            }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                    (Throwable) null);
        }
    }

    @Override
    public void log(Level level, Supplier<String> message) {
        if (isLoggable(level)) {
            log(level, (ResourceBundle) null, message.get(), (Throwable) null);
        }
    }
}
