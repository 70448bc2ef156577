package net.backend.dump;

import net.api.ByteSize;

/**
 * QAPI {@code NetdevDumpOptions}.
 *
 * @param len  the snap length (a size: {@code 64k} works); null for QEMU's default 65536
 * @param file the capture file; null for QEMU's {@code qemu-vlan<N>.pcap}, N being the hub's id
 */
public record DumpOptions(ByteSize len, String file) {
}
