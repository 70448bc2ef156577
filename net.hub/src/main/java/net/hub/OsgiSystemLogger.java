package net.hub;

import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/** Lets backends log through {@code System.Logger} (no OSGi API in the SPI) into the OSGi log. */
final class OsgiSystemLogger implements System.Logger {

    private final String name;
    private final Logger logger;

    OsgiSystemLogger(LoggerFactory factory, String name) {
        this.name = name;
        this.logger = factory.getLogger(name);
    }

    @Override
    public String getName() {
        return name;
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
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        switch (level) {
            case ALL, TRACE -> logger.trace(msg, thrown);
            case DEBUG -> logger.debug(msg, thrown);
            case INFO -> logger.info(msg, thrown);
            case WARNING -> logger.warn(msg, thrown);
            case ERROR -> logger.error(msg, thrown);
            case OFF -> {
                // nothing
            }
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (isLoggable(level)) {
            log(level, bundle, params == null || params.length == 0 ? format
                    : java.text.MessageFormat.format(format, params), (Throwable) null);
        }
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        if (isLoggable(level)) {
            log(level, (ResourceBundle) null, msgSupplier.get(), (Throwable) null);
        }
    }
}
