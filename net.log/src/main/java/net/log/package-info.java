/**
 * The OSGi log seen as a {@link java.lang.System.Logger}: the runtime and the management bundle
 * log through {@code System.Logger} so their classes run and log the same inside a framework and
 * in plain unit tests; inside a framework this adapter sends the records to the OSGi log.
 * {@link net.log.Loggers} does so while a log service is there and falls back to the platform's
 * loggers otherwise, for components that run without one.
 * {@link net.log.RepeatedLog} logs a failure that repeats at a bounded rate.
 */
@Export
@Version("1.2.0")
package net.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
