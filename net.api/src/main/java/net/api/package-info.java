/**
 * The Patchbay driver SPI: what a network backend, a filter or a NIC model implements, and what
 * the runtime gives it.
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
 * <p>Drivers depend on this package and nothing else of Patchbay. See
 * {@code docs/writing-a-driver.md} in the source tree for a worked example.
 */
@Export
@Version("2.0.0")
package net.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
