/**
 * QMP: the server's service ({@link net.control.qmp.QmpService}: open endpoints, see clients) and the
 * extension SPI: a bundle adds a QMP command by registering a {@link net.control.qmp.QmpCommand}
 * service; it appears in {@code query-commands} while the service is registered.
 */
@Export
@Version("2.1.0")
package net.control.qmp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
