package net.log;

import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.osgi.service.log.LoggerFactory;

/**
 * {@link System.Logger}s for a component whose OSGi log is optional: they write to the bound
 * {@link LoggerFactory} while there is one and to {@link System#getLogger(String)} otherwise, so
 * the component runs in a framework without a log service and keeps its loggers when one comes or
 * goes. The component binds the factory with a dynamic, optional reference and passes it on to
 * {@link #bind} and {@link #unbind}. Thread-safe.
 */
public final class Loggers {

    private final AtomicReference<LoggerFactory> factory = new AtomicReference<>();

    /** @param factory the OSGi log, from now on where every logger of this writes */
    public void bind(LoggerFactory factory) {
        this.factory.set(factory);
    }

    /** @param factory an OSGi log that goes away: if it is the bound one, the loggers fall back */
    public void unbind(LoggerFactory factory) {
        this.factory.compareAndSet(factory, null);
    }

    /**
     * @param name the logger's name
     * @return a logger of that name
     */
    public System.Logger logger(String name) {
        return logger(name, "");
    }

    /**
     * @param name   the logger's name
     * @param prefix put before every message, as {@link OsgiSystemLogger#OsgiSystemLogger(org.osgi.service.log.Logger, String)} does
     * @return a logger of that name
     */
    public System.Logger logger(String name, String prefix) {
        return new Switching(name, prefix);
    }

    /** Finds its target on every call: the OSGi logger of the bound factory, or the platform's. */
    private final class Switching implements System.Logger {

        private final String name;
        private final String prefix;
        /**
         * The platform's logger, made on first use: with the OSGi log bound it is never needed, and
         * a JUL logger per netdev costs 600-800 B that 10 000 idle netdevs would carry for nothing.
         */
        private volatile System.Logger fallback;
        /** The OSGi logger made for the factory bound last, reused while it stays bound. */
        private volatile Target osgi;

        Switching(String name, String prefix) {
            this.name = name;
            this.prefix = prefix;
        }

        private System.Logger target() {
            LoggerFactory current = factory.get();
            if (current == null) {
                System.Logger f = fallback;
                if (f == null) {
                    f = System.getLogger(name); // the platform returns the same logger for a name: a race is harmless
                    fallback = f;
                }
                return f;
            }
            Target t = osgi;
            if (t == null || t.factory != current) {
                t = new Target(current, new OsgiSystemLogger(current.getLogger(name)));
                osgi = t;
            }
            return t.logger;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            return target().isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            target().log(level, bundle, prefix + message, thrown);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            System.Logger target = target();
            if (target.isLoggable(level)) {
                // Formatted here so that the prefix is never read as part of a format.
                String message = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
                target.log(level, bundle, prefix + message, (Throwable) null);
            }
        }

        @Override
        public void log(Level level, Supplier<String> message) {
            System.Logger target = target();
            if (target.isLoggable(level)) {
                target.log(level, (ResourceBundle) null, prefix + message.get(), (Throwable) null);
            }
        }
    }

    private record Target(LoggerFactory factory, System.Logger logger) {
    }
}
