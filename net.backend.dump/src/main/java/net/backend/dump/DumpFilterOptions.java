package net.backend.dump;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The own properties of {@code filter-dump}; {@code netdev}, {@code queue}, {@code status},
 * {@code position} and {@code insert} are the runtime's.
 *
 * @param file   the capture file; QEMU 7.2's schema requires it ({@code Parameter 'file' is missing},
 *               older QEMU said {@code dump filter needs 'file' property set!})
 * @param maxlen the snap length, a QOM uint32 as text ({@link net.driverkit.QemuNumbers} reads it);
 *               null for QEMU's default 65536
 * @param format {@code pcap} (QEMU's, the default) or {@code pcapng}, a Patchbay extension: filters
 *               with {@code format=pcapng} and the same file write into it together, one interface
 *               (named after the netdev) each
 */
public record DumpFilterOptions(@JsonProperty(required = true) String file, String maxlen, String format) {
}
