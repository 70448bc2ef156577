package net.itest;

/**
 * The options of the {@code memwire} test type.
 *
 * @param releasems how long the netdev's release() takes, as a slow down-script would; 0 when absent
 */
public record MemWireOptions(Integer releasems) {
}
