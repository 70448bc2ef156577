/**
 * Records the control API returns; QMP serialises them as JSON, the console formats them for
 * people.
 */
@Export
@Version("1.1.0")
package net.api.dto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
