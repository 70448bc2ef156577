/**
 * The control API: one service, {@link net.api.control.NetControl}, that every front end (QMP, the
 * Gogo console, the launcher's command line, ConfigAdmin) calls, and the whiteboard interface
 * through which management front ends receive events.
 */
@Export
@Version("1.0.0")
package net.api.control;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
