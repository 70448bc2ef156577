/**
 * QEMU's option syntax ({@code socket,id=s0,listen=:1}) as JSON-like trees, and the value types
 * QAPI has beyond JSON's ({@link net.api.options.ByteSize}).
 */
@Export
@Version("1.0.0")
package net.api.options;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
