package net.qmp.server;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import org.osgi.service.log.Logger;

/**
 * The OSGi log seen as a {@link System.Logger}, so the server's classes log the same way inside
 * and outside a framework.
 */
final class OsgiLogger implements System.Logger {

    private final Logger logger;

    /** @param logger the OSGi logger to write to */
    OsgiLogger(Logger logger) {
        this.logger = logger;
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
        // The OSGi logger takes a trailing Throwable argument as the record's exception.
        Object[] args = thrown == null ? new Object[0] : new Object[] {thrown};
        switch (level) {
            case ALL, TRACE -> logger.trace(message, args);
            case DEBUG -> logger.debug(message, args);
            case INFO -> logger.info(message, args);
            case WARNING -> logger.warn(message, args);
            case ERROR -> logger.error(message, args);
            case OFF -> {
                // nothing is logged at OFF
            }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params),
                (Throwable) null);
    }
}
