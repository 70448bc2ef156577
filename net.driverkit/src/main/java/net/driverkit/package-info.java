/**
 * What drivers share beyond the SPI: code every packet backend would otherwise repeat, written
 * against {@code net.api} as a driver is, so a third-party driver may use it or ignore it.
 *
 * <p>A backend that carries one frame per packet over non-blocking descriptors implements
 * {@link net.driverkit.PacketWire} (read a packet, write a frame, watch, close: its own protocol
 * only) and returns a {@link net.driverkit.PacketClient} of its wires, which runs the read loop,
 * QEMU's flow control, the read budget and the error counters. {@link net.driverkit.FramePump} is
 * that flow control alone, for backends of another shape. {@link net.driverkit.InheritedDescriptors}
 * adopts the descriptors a parent process passed by number ({@code fd=N}), once per process, and
 * those a QMP client passed by name ({@code fd=NAME}, through {@link net.driverkit.MonitorDescriptors}).
 * {@link net.driverkit.OutputFiles} keeps a driver's own files (captures) out of the deploy
 * directory, whose files Patchbay reads as configuration.
 */
@Export
@Version("2.1.0")
package net.driverkit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
