/**
 * The control API: one service, {@link net.control.NetControl}, that every front end (QMP, the
 * Gogo console, the launcher's command line, ConfigAdmin) calls, and the whiteboard interface
 * through which management front ends receive events, and QEMU's option syntax
 * ({@link net.control.QemuOptions}) front ends read from people and files.
 */
@Export
@Version("2.1.0")
package net.control;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
