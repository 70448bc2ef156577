/**
 * The Patchbay driver SPI, version 2: what a network backend, a filter or a NIC model implements,
 * and what the runtime gives it.
 *
 * <p>A driver is an OSGi service. A netdev driver implements {@link net.api.NetClientDriver} and is
 * registered with the service property {@value net.api.NetClientDriver#TYPE} naming its QAPI type
 * ({@code socket}, {@code tap}, ...); the {@link net.api.NetType} component property type does
 * both that and the bundle capability the launcher looks for. The runtime binds the user's options
 * into the driver's option record, calls {@link net.api.NetClientDriver#open} on the netdev's event
 * loop, and from then on talks to the returned {@link net.api.NetClient} on that loop only; the one
 * exception is {@link net.api.NetClient#release()}, the blocking part of closing, which it calls on
 * a control thread once {@link net.api.NetClient#close()} has returned on the loop.
 *
 * <p>Frames are read-only {@link java.nio.ByteBuffer}s valid for the duration of a call: a hub
 * hands one frame to every port. A backend discards a frame with a reason
 * ({@link net.api.NetClientContext#dropCounter}); what else it counts is its own
 * ({@link net.api.NetClientContext#counter}).
 *
 * <p>A driver needs this package and nothing else of Patchbay. Optional helpers live in their own
 * bundles: {@code net.driverkit} (QEMU's flow control for packet backends, inherited
 * descriptors), {@code net.posix} (Linux system calls), {@code net.control} (the control API, for a
 * driver that also adds QMP commands). The guide: {@code docs/writing-a-driver.md}.
 */
@Export
@Version("2.1.0")
package net.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
