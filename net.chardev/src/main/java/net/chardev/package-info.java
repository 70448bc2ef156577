/**
 * Character devices as filters and drivers use them: {@link net.chardev.Chardevs} finds a chardev by
 * id and attaches one front end to it on the front end's event loop; {@link net.chardev.ChardevPort}
 * reads and writes its connection without blocking and {@link net.chardev.ChardevHandler} hears
 * when it connects, disconnects, has bytes or takes more.
 */
@Export
@Version("1.0.0")
package net.chardev;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
