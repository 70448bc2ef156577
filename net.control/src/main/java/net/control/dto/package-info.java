/**
 * Records the control API returns; QMP serialises them as JSON, the console formats them for
 * people.
 */
@Export
@Version("2.1.0")
package net.control.dto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
