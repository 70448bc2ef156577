/**
 * The OSGi log seen as a {@link java.lang.System.Logger}: the runtime and the management bundle
 * log through {@code System.Logger} so their classes run and log the same inside a framework and
 * in plain unit tests; inside a framework this adapter sends the records to the OSGi log.
 * {@link net.log.RepeatedLog} logs a failure that repeats at a bounded rate.
 */
@Export
@Version("1.1.0")
package net.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
