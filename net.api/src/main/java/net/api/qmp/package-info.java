/**
 * QMP: the server's service ({@link net.api.qmp.QmpService}: open endpoints, see clients) and the
 * extension SPI: a bundle adds a QMP command by registering a {@link net.api.qmp.QmpCommand}
 * service; it appears in {@code query-commands} while the service is registered.
 */
@Export
@Version("1.0.0")
package net.api.qmp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
