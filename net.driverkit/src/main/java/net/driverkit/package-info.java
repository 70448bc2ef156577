/**
 * What drivers share beyond the SPI: code every packet backend would otherwise repeat, written
 * against {@code net.api} as a driver is, so a third-party driver may use it or ignore it.
 *
 * <p>{@link net.driverkit.FramePump} is QEMU's flow control for a backend that carries one frame
 * per packet over a non-blocking descriptor; {@link net.driverkit.InheritedDescriptors} adopts the
 * descriptors a parent process passed by number ({@code fd=N}), once per process.
 */
@Export
@Version("2.0.0")
package net.driverkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
