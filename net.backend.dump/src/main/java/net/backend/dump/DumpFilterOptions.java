package net.backend.dump;

/**
 * The own properties of {@code filter-dump}; {@code netdev}, {@code queue}, {@code status},
 * {@code position} and {@code insert} are the runtime's.
 *
 * @param file   the capture file (QEMU requires it, with its own words: checked at open)
 * @param maxlen the snap length, a QOM uint32; null for QEMU's default 65536
 */
public record DumpFilterOptions(String file, Long maxlen) {
}
